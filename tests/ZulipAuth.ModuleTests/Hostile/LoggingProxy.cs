using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// A plain-http forwarding proxy on 127.0.0.1 that keeps every byte a client sends it (request line, headers,
/// body), so a test can prove a password or key never reached it in clear. It forwards absolute-form requests
/// to the target and relays the answer; CONNECT is refused (https cases use the CONNECT proxy). Stops by itself.
/// </summary>
public sealed class LoggingProxy : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource lifetime = new(TimeSpan.FromSeconds(30));
    private readonly ConcurrentQueue<string> seen = new();

    public LoggingProxy()
    {
        listener.Start();
        lifetime.Token.Register(() => listener.Stop());
        _ = Task.Run(AcceptAsync);
    }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

    /// <summary>Everything clients sent, decoded as Latin-1 (so any byte survives).</summary>
    public string Seen => string.Concat(seen);

    public int Requests => seen.Count;

    public void Dispose()
    {
        lifetime.Cancel();
        listener.Stop();
        lifetime.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!lifetime.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(lifetime.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 64 * 1024)
            {
                if (await stream.ReadAsync(one, lifetime.Token) == 0)
                {
                    return;
                }

                head.Append((char)one[0]);
            }

            var text = head.ToString();
            var length = text.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(l => int.Parse(l[15..].Trim())).FirstOrDefault();
            var body = new byte[Math.Min(length, 64 * 1024)];
            for (var read = 0; read < body.Length;)
            {
                var got = await stream.ReadAsync(body.AsMemory(read), lifetime.Token);
                if (got == 0)
                {
                    break;
                }

                read += got;
            }

            seen.Enqueue(text + Encoding.Latin1.GetString(body));
            var requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
            if (requestLine[0] == "CONNECT" || !Uri.TryCreate(requestLine[1], UriKind.Absolute, out var target) || !IPAddress.IsLoopback(Resolve(target.Host)))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), lifetime.Token);
                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, target.Port, lifetime.Token);
            var forwarded = $"{requestLine[0]} {target.PathAndQuery} {requestLine[2]}\r\n" + text[(text.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
            var up = upstream.GetStream();
            await up.WriteAsync(Encoding.Latin1.GetBytes(forwarded).Concat(body).ToArray(), lifetime.Token);
            await up.CopyToAsync(stream, lifetime.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException)
        {
        }
    }

    private static IPAddress Resolve(string host) =>
        host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : IPAddress.None;
}
