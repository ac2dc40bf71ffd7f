using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 answering each request with the bytes a function chooses, so a test can
/// give the cmdlets answers no real Zulip (nor the Kestrel test server) would send. One request per connection,
/// closed after the answer; stops with the test.
/// </summary>
internal sealed class RawLoopbackServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string, string> answer;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int requests;

    /// <param name="answer">Method and path to the whole JSON body of a 200 answer, or to a full raw answer starting with "HTTP/".</param>
    public RawLoopbackServer(Func<string, string, string> answer)
    {
        this.answer = answer;
        listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        loop = Task.Run(AcceptLoop);
    }

    /// <summary>The server's URL, without a trailing slash.</summary>
    public string Url { get; }

    public int Requests => Volatile.Read(ref requests);

    public static string Json(int status, string body) =>
        $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

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
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                var stream = socket.GetStream();
                var (method, path) = await ReadRequest(stream, timeout.Token);
                Interlocked.Increment(ref requests);
                var text = answer(method, path);
                var raw = text.StartsWith("HTTP/", StringComparison.Ordinal) ? text : Json(200, text);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(raw), timeout.Token);
                await stream.FlushAsync(timeout.Token);
                socket.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<(string Method, string Path)> ReadRequest(NetworkStream stream, CancellationToken token)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, token) == 0 || head.Count > 64 * 1024)
            {
                throw new IOException("closed before the headers ended");
            }

            head.Add(one[0]);
        }

        var lines = Encoding.UTF8.GetString(head.ToArray()).Split("\r\n");
        var length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        for (var read = 0; read < length;)
        {
            var n = await stream.ReadAsync(body.AsMemory(read), token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var parts = lines[0].Split(' ');
        return (parts[0], parts[1]);
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        await loop;
        stop.Dispose();
    }
}
