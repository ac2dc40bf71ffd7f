using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// The client over real TCP on loopback with the pooled, real HttpClientHandler (no proxy): what goes on the
/// wire byte for byte, that the handler itself never follows a redirect, and real refusals, stalls and resets.
/// </summary>
public class LoopbackTransportTests
{
    private static readonly HttpClient Pooled = HttpClientPool.Get(new TransportOptions { ProxyMode = ProxyMode.None });

    private static ZulipClient Client(TimeSpan? timeout = null, string userAgent = TestSupport.UserAgent) =>
        new(Pooled, timeout ?? TimeSpan.FromSeconds(5), userAgent);

    [Fact]
    public async Task TheWireRequestIsAFormPostWithTheUserAgentAndTheExactPassword()
    {
        const string userAgent = "ZulipAuth/0.1.0 (Core 7.6.0; Linux)";
        const string password = "p&=+% ü€😀;\"'\\";
        await using var server = new RawHttpServer(_ => Json(200, """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}"""));

        var fetched = await Client(userAgent: userAgent).FetchApiKeyAsync(server.Url, "iago+test@zulip.com", TestSupport.Secure(password), CancellationToken.None);

        Assert.Equal(TestSupport.IagoKey, TestSupport.Reveal(fetched.ApiKey));
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST /api/v1/fetch_api_key HTTP/1.1", request.RequestLine);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal(userAgent, request.Header("User-Agent"));
        Assert.Equal($"127.0.0.1:{server.Url.Port}", request.Header("Host"));
        Assert.Null(request.Header("Authorization"));
        var form = HttpUtility.ParseQueryString(Encoding.ASCII.GetString(request.Body), Encoding.UTF8);
        Assert.Equal("iago+test@zulip.com", form["username"]);
        Assert.Equal(password, form["password"]);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task ThePooledHandlerDoesNotFollowARedirectOfThePost(int status)
    {
        await using var server = new RawHttpServer(request => request.RequestLine.StartsWith("POST /api/v1/fetch_api_key ", StringComparison.Ordinal)
            ? $"HTTP/1.1 {status} Moved\r\nLocation: /elsewhere/fetch_api_key\r\nContent-Length: 0\r\n\r\n"
            : Json(200, """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com"}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            Client().FetchApiKeyAsync(server.Url, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Contains($"{server.Url.GetLeftPart(UriPartial.Authority)}/elsewhere/fetch_api_key", e.Message);
        await Task.Delay(200);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task UsersMeSendsBasicAuthOnTheWire()
    {
        await using var server = new RawHttpServer(_ => Json(200, """{"result":"success","msg":"","email":"iago@zulip.com","user_id":5,"full_name":"Iago"}"""));

        var user = await Client().GetOwnUserAsync(server.Url, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), CancellationToken.None);

        Assert.Equal(5, user.UserId);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET /api/v1/users/me HTTP/1.1", request.RequestLine);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("iago@zulip.com:" + TestSupport.IagoKey)), request.Header("Authorization"));
    }

    [Fact]
    public async Task ARefusedConnectionIsATransientConnectionFailure()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            Client().FetchApiKeyAsync(new Uri($"http://127.0.0.1:{port}/"), "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.ConnectionFailed, e.ErrorId);
        Assert.True(e.IsTransient);
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public async Task AServerThatAcceptsButNeverAnswersTimesOut()
    {
        await using var server = new RawHttpServer(_ => null);
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            Client(TimeSpan.FromSeconds(1)).FetchApiKeyAsync(server.Url, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.Timeout, e.ErrorId);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task AServerThatClosesMidBodyIsAConnectionFailure()
    {
        await using var server = new RawHttpServer(_ => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"result\":\"success\",\"msg\":\"\",\"api_k");

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            Client().FetchApiKeyAsync(server.Url, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.ConnectionFailed, e.ErrorId);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task AnEndlessChunkedBodyIsCutOff()
    {
        await using var server = new RawHttpServer(_ => null, endlessChunkedBody: true);
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            Client(TimeSpan.FromSeconds(20)).FetchApiKeyAsync(server.Url, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    private static string Json(int status, string body) =>
        $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
}

/// <summary>A request as it arrived on the socket.</summary>
internal sealed class RawRequest(string requestLine, List<(string Name, string Value)> headers, byte[] body)
{
    public string RequestLine { get; } = requestLine;

    public byte[] Body { get; } = body;

    public string? Header(string name) => headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// A bare HTTP/1.1 server on 127.0.0.1: it records each request and writes the raw answer the test gives
/// (null: say nothing and keep the connection open), or an endless chunked body.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, string?> answer;
    private readonly bool endlessChunkedBody;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly System.Collections.Concurrent.ConcurrentQueue<RawRequest> requests = new();

    public RawHttpServer(Func<RawRequest, string?> answer, bool endlessChunkedBody = false)
    {
        this.answer = answer;
        this.endlessChunkedBody = endlessChunkedBody;
        listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        loop = Task.Run(AcceptLoop);
    }

    public Uri Url { get; }

    public IReadOnlyCollection<RawRequest> Requests => requests.ToArray();

    private async Task AcceptLoop()
    {
        var connections = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptTcpClientAsync(stop.Token);
                connections.Add(Task.Run(() => Serve(socket)));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task Serve(TcpClient socket)
    {
        using (socket)
        {
            try
            {
                var stream = socket.GetStream();
                var request = await ReadRequest(stream);
                requests.Enqueue(request);
                if (endlessChunkedBody)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"), stop.Token);
                    var chunk = Encoding.ASCII.GetBytes("4000\r\n" + new string(' ', 0x4000) + "\r\n");
                    for (var sent = 0L; sent < 64L * 1024 * 1024 && !stop.IsCancellationRequested; sent += chunk.Length)
                    {
                        await stream.WriteAsync(chunk, stop.Token);
                    }

                    return;
                }

                var text = answer(request);
                if (text == null)
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                    return;
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes(text), stop.Token);
                await stream.FlushAsync(stop.Token);
                socket.Client.Shutdown(SocketShutdown.Send);
                await Task.Delay(100);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<RawRequest> ReadRequest(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("closed before the headers ended");
            }

            buffer.Add(one[0]);
        }

        var lines = Encoding.UTF8.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1).Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var length = headers.Where(h => string.Equals(h.Name, "Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return new RawRequest(lines[0], headers, body);
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        await loop;
        stop.Dispose();
    }
}
