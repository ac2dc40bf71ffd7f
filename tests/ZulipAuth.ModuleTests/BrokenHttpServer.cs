using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A bare HTTP/1.1 listener on 127.0.0.1 for answers Kestrel cannot give (a truncated body, 64 KiB of headers,
/// an invalid status line): one request per connection, the raw bytes the test gives, then the connection
/// closes. Counts what it received by request line. Every read and write is bounded; disposing stops it.
/// </summary>
public sealed class BrokenHttpServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, byte[]?> answer;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<string> requestLines = new();
    private readonly Task loop;

    /// <param name="answer">The raw answer for a request line such as "POST /api/v1/fetch_api_key HTTP/1.1"; null: <see cref="Settings"/>.</param>
    public BrokenHttpServer(Func<string, byte[]?> answer)
    {
        this.answer = answer;
        listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        loop = Task.Run(AcceptLoop);
    }

    public string Url { get; }

    /// <summary>Every request received, whatever its line.</summary>
    public int Total => requestLines.Count;

    public int Count(string method, string path) => requestLines.Count(l => l.StartsWith(method + " " + path + " ", StringComparison.Ordinal));

    /// <summary>A server_settings answer that lets a password login go ahead, pointing at this server.</summary>
    public byte[] Settings() => Http("200 OK",
        $$"""{"authentication_methods":{"password":true,"dev":false},"zulip_version":"9.2","zulip_feature_level":278,"email_auth_enabled":true,"require_email_format_usernames":true,"realm_url":"{{Url}}","realm_name":"Broken","external_authentication_methods":[],"result":"success","msg":""}""");

    public static byte[] Http(string status, string body, string headers = "Content-Type: application/json\r\n") =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 {status}\r\n{headers}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");

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
        catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task Serve(TcpClient socket)
    {
        using (socket)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
        {
            timeout.CancelAfter(ReadLimit);
            try
            {
                var stream = socket.GetStream();
                var head = await ReadHead(stream, timeout.Token);
                var requestLine = head.Split("\r\n")[0];
                var length = head.Split("\r\n").Skip(1)
                    .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                var body = new byte[Math.Min(length, 64 * 1024)];
                for (var read = 0; read < body.Length;)
                {
                    var n = await stream.ReadAsync(body.AsMemory(read), timeout.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                requestLines.Enqueue(requestLine);
                await stream.WriteAsync(answer(requestLine) ?? Settings(), timeout.Token);
                await stream.FlushAsync(timeout.Token);
                socket.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<string> ReadHead(NetworkStream stream, CancellationToken token)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (buffer.Count > 64 * 1024 || await stream.ReadAsync(one, token) == 0)
            {
                throw new IOException("no complete request head");
            }

            buffer.Add(one[0]);
        }

        return Encoding.ASCII.GetString(buffer.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await loop;
        stop.Dispose();
    }
}
