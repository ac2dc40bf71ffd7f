using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZulipAuth.TestServer;

/// <summary>
/// A minimal HTTP forward proxy on 127.0.0.1 for testing a client's proxy support: <c>CONNECT host:port</c>
/// tunnels (used for https) and absolute-URI plain-http requests (<c>GET http://127.0.0.1:port/path</c>).
/// It only ever connects to loopback addresses ("localhost", 127.0.0.0/8, ::1) and answers 403 to anything
/// else, without resolving names. With <see cref="RequiredCredential"/> set, it answers 407 with
/// <c>Proxy-Authenticate: Basic realm="test"</c> until the request carries the right Proxy-Authorization.
/// Every wait is bounded; <see cref="DisposeAsync"/> closes every connection.
/// </summary>
public sealed class LoopbackConnectProxy : IAsyncDisposable
{
    private const int MaxHeadBytes = 32 * 1024;
    private const int MaxConnections = 64;
    private const int MaxDiscardedBodyBytes = 1024 * 1024;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(2);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly ConcurrentQueue<string> _targets = new();
    private readonly Task _acceptLoop;
    private volatile NetworkCredential? _requiredCredential;
    private int _tunnelCount;
    private int _requestCount;
    private int _authChallenges;
    private int _refusedCount;
    private int _disposed;

    /// <summary>Starts listening at once on 127.0.0.1 with a free port.</summary>
    public LoopbackConnectProxy(NetworkCredential? requiredCredential = null)
    {
        _requiredCredential = requiredCredential;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: MaxConnections);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>The proxy's address for a client, e.g. http://127.0.0.1:40001/.</summary>
    public Uri Uri => new($"http://127.0.0.1:{Port}/");

    /// <summary>When set, requests need <c>Proxy-Authorization: Basic</c> with these credentials.</summary>
    public NetworkCredential? RequiredCredential
    {
        get => _requiredCredential;
        set => _requiredCredential = value;
    }

    /// <summary>CONNECT tunnels opened.</summary>
    public int TunnelCount => Volatile.Read(ref _tunnelCount);

    /// <summary>Absolute-URI plain-http requests forwarded.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>407 answers sent.</summary>
    public int AuthChallenges => Volatile.Read(ref _authChallenges);

    /// <summary>Requests refused with 403 (not loopback) or 400 (not a proxy request).</summary>
    public int RefusedCount => Volatile.Read(ref _refusedCount);

    /// <summary>"host:port" of every tunnel or forward, in order.</summary>
    public IReadOnlyList<string> Targets => _targets.ToArray();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;

        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var socket in _connections.Keys)
            CloseQuietly(socket);

        var pending = _connections.Values.Append(_acceptLoop).ToArray();
        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(DisposeTimeout));
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_connections.Count >= MaxConnections)
            {
                CloseQuietly(client);
                continue;
            }

            // Register before starting, so the handler's own removal (in its finally) can never come first.
            _connections[client] = Task.CompletedTask;
            var task = Task.Run(() => HandleConnectionAsync(client));
            _connections.TryUpdate(client, task, Task.CompletedTask);
        }
    }

    private async Task HandleConnectionAsync(Socket client)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        lifetime.CancelAfter(ConnectionLifetime);
        var cancellationToken = lifetime.Token;
        client.NoDelay = true;

        try
        {
            await using var clientStream = new NetworkStream(client, ownsSocket: true);
            var reader = new HeadReader(clientStream);

            // Loop only to allow a retry after 407 on the same connection; a tunnel or forward ends it.
            while (!cancellationToken.IsCancellationRequested)
            {
                var head = await reader.ReadHeadAsync(cancellationToken);
                if (head is null)
                    return;

                if (!IsAuthorized(head))
                {
                    Interlocked.Increment(ref _authChallenges);
                    var keepAlive = await reader.DiscardBodyAsync(head, cancellationToken);
                    await WriteAsync(clientStream,
                        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n" +
                        $"Content-Length: 0\r\n{(keepAlive ? "" : "Connection: close\r\n")}\r\n", cancellationToken);
                    if (!keepAlive)
                        return;
                    continue;
                }

                if (head.Method.Equals("CONNECT", StringComparison.OrdinalIgnoreCase))
                    await TunnelAsync(clientStream, reader, head, cancellationToken);
                else
                    await ForwardAsync(clientStream, reader, head, cancellationToken);
                return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away, or the proxy is stopping.
        }
        finally
        {
            CloseQuietly(client);
            _connections.TryRemove(client, out _);
        }
    }

    private bool IsAuthorized(RequestHead head)
    {
        var credential = _requiredCredential;
        if (credential is null)
            return true;

        var header = head.Header("Proxy-Authorization");
        if (header is null)
            return false;
        var parts = header.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !parts[0].Equals("Basic", StringComparison.OrdinalIgnoreCase))
            return false;

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1]));
            return decoded == $"{credential.UserName}:{credential.Password}";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private async Task TunnelAsync(NetworkStream clientStream, HeadReader reader, RequestHead head, CancellationToken cancellationToken)
    {
        if (!TrySplitAuthority(head.Target, defaultPort: 443, out var host, out var port) || !TryLoopback(host, out var address))
        {
            await RefuseAsync(clientStream, 403, "Forbidden", cancellationToken);
            return;
        }

        using var upstream = await ConnectAsync(address, port, cancellationToken);
        if (upstream is null)
        {
            await RefuseAsync(clientStream, 502, "Bad Gateway", cancellationToken);
            return;
        }

        Interlocked.Increment(ref _tunnelCount);
        _targets.Enqueue($"{host}:{port}");
        await WriteAsync(clientStream, "HTTP/1.1 200 Connection established\r\n\r\n", cancellationToken);

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        // Bytes the client sent right after the CONNECT head (e.g. an eager TLS ClientHello) go first.
        await upstreamStream.WriteAsync(reader.TakeBuffered(), cancellationToken);
        await PumpAsync(clientStream, upstreamStream, upstream, cancellationToken);
    }

    private async Task ForwardAsync(NetworkStream clientStream, HeadReader reader, RequestHead head, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(head.Target, UriKind.Absolute, out var target) || target.Scheme != Uri.UriSchemeHttp)
        {
            Interlocked.Increment(ref _refusedCount);
            await RefuseAsync(clientStream, 400, "Bad Request", cancellationToken);
            return;
        }

        if (!TryLoopback(target.Host, out var address))
        {
            await RefuseAsync(clientStream, 403, "Forbidden", cancellationToken);
            return;
        }

        using var upstream = await ConnectAsync(address, target.Port, cancellationToken);
        if (upstream is null)
        {
            await RefuseAsync(clientStream, 502, "Bad Gateway", cancellationToken);
            return;
        }

        Interlocked.Increment(ref _requestCount);
        _targets.Enqueue($"{target.Host}:{target.Port}");

        // Origin-form request line; drop hop-by-hop and proxy headers; one request per upstream connection,
        // so the upstream closes after its answer and the byte pump below ends by itself.
        var builder = new StringBuilder();
        builder.Append(head.Method).Append(' ').Append(target.PathAndQuery).Append(' ').Append(head.Version).Append("\r\n");
        foreach (var (name, value) in head.Headers)
        {
            if (name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Connection", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
                continue;
            builder.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        builder.Append("Connection: close\r\n\r\n");

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        await WriteAsync(upstreamStream, builder.ToString(), cancellationToken);
        await upstreamStream.WriteAsync(reader.TakeBuffered(), cancellationToken);
        await PumpAsync(clientStream, upstreamStream, upstream, cancellationToken);
    }

    /// <summary>
    /// Copies both ways, each direction passing on its half-close. Done when the upstream side has ended:
    /// a client that finishes first half-closes the upstream, which then closes too. The other copy ends
    /// when the sockets are closed by the caller.
    /// </summary>
    private static async Task PumpAsync(NetworkStream clientStream, NetworkStream upstreamStream, Socket upstream, CancellationToken cancellationToken)
    {
        _ = CopyThenShutdownAsync(clientStream, upstreamStream, upstream, cancellationToken);
        await CopyThenShutdownAsync(upstreamStream, clientStream, clientStream.Socket, cancellationToken);
    }

    private static async Task CopyThenShutdownAsync(Stream from, Stream to, Socket toSocket, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, 16 * 1024, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        try
        {
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task<Socket?> ConnectAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return null;
        }
    }

    private async Task RefuseAsync(Stream stream, int status, string reason, CancellationToken cancellationToken)
    {
        if (status != 502)
            Interlocked.Increment(ref _refusedCount);
        await WriteAsync(stream, $"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken);
    }

    private static Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encoding.Latin1.GetBytes(text), cancellationToken).AsTask();

    /// <summary>"host:port" or "[v6]:port".</summary>
    private static bool TrySplitAuthority(string authority, int defaultPort, out string host, out int port)
    {
        host = authority;
        port = defaultPort;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
                return false;
            host = authority[1..close];
            var rest = authority[(close + 1)..];
            return rest.Length == 0 || (rest[0] == ':' && int.TryParse(rest[1..], out port) && port is > 0 and < 65536);
        }

        var colon = authority.LastIndexOf(':');
        if (colon < 0)
            return authority.Length > 0;
        host = authority[..colon];
        return host.Length > 0 && int.TryParse(authority[(colon + 1)..], out port) && port is > 0 and < 65536;
    }

    /// <summary>Loopback only, and no DNS: "localhost" maps to 127.0.0.1, anything else must be a loopback literal.</summary>
    private static bool TryLoopback(string host, out IPAddress address)
    {
        address = IPAddress.Loopback;
        host = host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        if (IPAddress.TryParse(host, out var parsed) && IPAddress.IsLoopback(parsed))
        {
            address = parsed;
            return true;
        }

        return false;
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>A parsed request line and headers.</summary>
    private sealed record RequestHead(string Method, string Target, string Version, List<(string Name, string Value)> Headers)
    {
        public string? Header(string name) =>
            Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
    }

    /// <summary>Reads request heads from a connection, keeping whatever arrived after the head.</summary>
    private sealed class HeadReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[MaxHeadBytes];
        private int _count;

        /// <summary>The next head, or null on close, timeout, oversize or garbage.</summary>
        public async Task<RequestHead?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HeadTimeout);
            while (true)
            {
                var end = _buffer.AsSpan(0, _count).IndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    var text = Encoding.Latin1.GetString(_buffer, 0, end);
                    Consume(end + 4);
                    return Parse(text);
                }

                if (_count == _buffer.Length)
                    return null;

                int read;
                try
                {
                    read = await stream.ReadAsync(_buffer.AsMemory(_count), timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return null;
                }

                if (read == 0)
                    return null;
                _count += read;
            }
        }

        /// <summary>Drops a Content-Length body so the connection can carry the retry. False when the
        /// connection cannot be reused (chunked or too large body).</summary>
        public async Task<bool> DiscardBodyAsync(RequestHead head, CancellationToken cancellationToken)
        {
            if (head.Header("Transfer-Encoding") is not null)
                return false;
            if (!long.TryParse(head.Header("Content-Length") ?? "0", out var remaining) || remaining < 0 || remaining > MaxDiscardedBodyBytes)
                return false;

            var fromBuffer = (int)Math.Min(remaining, _count);
            Consume(fromBuffer);
            remaining -= fromBuffer;
            var scratch = new byte[8192];
            while (remaining > 0)
            {
                var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, remaining)), cancellationToken);
                if (read == 0)
                    return false;
                remaining -= read;
            }

            return true;
        }

        /// <summary>Hands over the bytes read past the head.</summary>
        public ReadOnlyMemory<byte> TakeBuffered()
        {
            var copy = _buffer.AsSpan(0, _count).ToArray();
            _count = 0;
            return copy;
        }

        private void Consume(int length)
        {
            Buffer.BlockCopy(_buffer, length, _buffer, 0, _count - length);
            _count -= length;
        }

        private static RequestHead? Parse(string text)
        {
            var lines = text.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
                return null;

            var headers = new List<(string, string)>();
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0)
                    return null;
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }

            return new RequestHead(requestLine[0], requestLine[1], requestLine[2], headers);
        }
    }
}
