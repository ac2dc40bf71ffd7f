using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// A Zulip look-alike on raw sockets at 127.0.0.1, so a scenario can break HTTP itself (status lines, lengths,
/// encodings, endless or dripping bodies) where Kestrel would not let it. One port speaks both plain http and
/// TLS (the first byte of a connection tells which), so "same host and port, other scheme" tricks are real.
/// Every request is logged and counted. The server stops by itself when its lifetime ends, so a scenario that
/// goes wrong can never keep a socket or a task alive past the test.
/// </summary>
public sealed class HostileServer : IAsyncDisposable, IDisposable
{
    public delegate Task Responder(HostileRequest request, HostileWire wire);

    public const string SettingsPath = "/api/v1/server_settings";
    public const string FetchPath = "/api/v1/fetch_api_key";
    public const string UsersMePath = "/api/v1/users/me";

    /// <summary>The key the friendly default answer hands out (32 characters [A-Za-z0-9], like a real one).</summary>
    public const string IssuedKey = "HstKey0123456789abcdefghijKLMNOP";

    public const string Email = "hostile-user@example.com";

    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxBodyBytes = 64 * 1024;

    private readonly TcpListener listener;
    private readonly CancellationTokenSource lifetime;
    private readonly ConcurrentDictionary<string, Responder> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HostileRequest> requests = new();
    private readonly ConcurrentBag<Task> connections = new();
    private readonly Task acceptLoop;

    public HostileServer(TimeSpan? lifetime = null)
    {
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        this.lifetime = new CancellationTokenSource(lifetime ?? TimeSpan.FromSeconds(40));
        this.lifetime.Token.Register(() => listener.Stop());
        acceptLoop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Http => $"http://127.0.0.1:{Port}";

    public string Https => $"https://127.0.0.1:{Port}";

    /// <summary>The realm_url the friendly server_settings announces; null: the server's own URL (scheme as asked).</summary>
    public string? RealmUrl { get; set; }

    public IReadOnlyList<HostileRequest> Requests => requests.ToArray();

    public int Count(string path, string method) => requests.Count(r => r.Path == path && r.Method == method);

    public int Posts => Count(FetchPath, "POST");

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> with <paramref name="responder"/> instead of the friendly default.</summary>
    public HostileServer On(string method, string path, Responder responder)
    {
        routes[method + " " + path] = responder;
        return this;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        lifetime.Cancel();
        listener.Stop();
        try
        {
            await acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
            await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Every connection task watches the lifetime token; one that is slow to notice is abandoned, not awaited forever.
        }

        lifetime.Dispose();
    }

    /// <summary>The friendly answers, which a scenario replaces one route at a time.</summary>
    public static async Task Friendly(HostileRequest request, HostileWire wire)
    {
        switch (request.Path)
        {
            case SettingsPath:
                await wire.RespondAsync(200, SettingsJson(wire.Server.RealmUrl ?? $"{request.Scheme}://127.0.0.1:{wire.Server.Port}"));
                break;
            case FetchPath when request.Method == "POST":
                await wire.RespondAsync(200, $"{{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"{IssuedKey}\",\"email\":\"{Email}\",\"user_id\":11}}");
                break;
            case UsersMePath:
                await wire.RespondAsync(200, $"{{\"result\":\"success\",\"msg\":\"\",\"user_id\":11,\"email\":\"{Email}\",\"full_name\":\"Hostile User\"}}");
                break;
            default:
                await wire.RespondAsync(404, "{\"result\":\"error\",\"msg\":\"Not Found\",\"code\":\"BAD_REQUEST\"}");
                break;
        }
    }

    /// <summary>A server_settings answer as Zulip 10 gives it, with <paramref name="realmUrl"/> and optional extra members.</summary>
    public static string SettingsJson(string realmUrl, string realmName = "Hostile Org", string extra = "") =>
        "{\"result\":\"success\",\"msg\":\"\",\"authentication_methods\":{\"password\":true,\"dev\":false,\"email\":true}," +
        "\"zulip_version\":\"10.0\",\"zulip_feature_level\":300,\"push_notifications_enabled\":false,\"is_incompatible\":false," +
        "\"email_auth_enabled\":true,\"require_email_format_usernames\":true,\"realm_web_public_access_enabled\":false," +
        $"\"realm_url\":{Quote(realmUrl)},\"realm_uri\":{Quote(realmUrl)},\"realm_name\":{Quote(realmName)}," +
        "\"realm_icon\":\"/static/images/logo.png\",\"realm_description\":\"<p>hostile</p>\",\"external_authentication_methods\":[]" + extra + "}";

    /// <summary>A JSON string literal (escapes quotes, backslashes and controls; leaves everything else as is).</summary>
    public static string Quote(string value)
    {
        var b = new StringBuilder("\"");
        foreach (var c in value)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return b.Append('"').ToString();
    }

    private async Task AcceptAsync()
    {
        while (!lifetime.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(lifetime.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        using var linger = lifetime.Token.Register(() => socket.Dispose());
        try
        {
            var first = new byte[1];
            var peeked = await socket.ReceiveAsync(first, SocketFlags.Peek, lifetime.Token);
            if (peeked == 0)
            {
                return;
            }

            Stream stream = new NetworkStream(socket, ownsSocket: false);
            var scheme = "http";
            if (first[0] == 0x16)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
                handshake.CancelAfter(TimeSpan.FromSeconds(10));
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificate.Instance }, handshake.Token);
                stream = tls;
                scheme = "https";
            }

            await using (stream)
            {
                var request = await ReadRequestAsync(stream, scheme);
                if (request == null)
                {
                    return;
                }

                requests.Enqueue(request);
                var wire = new HostileWire(stream, this, lifetime.Token);
                var responder = routes.TryGetValue(request.Method + " " + request.Path, out var r) ? r : Friendly;
                await responder(request, wire);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // A client that hangs up on a hostile answer is the expected end of most scenarios.
        }
    }

    private async Task<HostileRequest?> ReadRequestAsync(Stream stream, string scheme)
    {
        var head = new MemoryStream();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (head.Length > MaxHeadBytes || await stream.ReadAsync(one, lifetime.Token) == 0)
            {
                return null;
            }

            head.WriteByte(one[0]);
        }

        var lines = Encoding.Latin1.GetString(head.ToArray()).Split("\r\n");
        var start = lines[0].Split(' ');
        if (start.Length < 2)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1).Where(l => l.Contains(':')))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }

        var length = headers.TryGetValue("content-length", out var cl) && int.TryParse(cl, out var n) ? Math.Min(n, MaxBodyBytes) : 0;
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var got = await stream.ReadAsync(body.AsMemory(read), lifetime.Token);
            if (got == 0)
            {
                break;
            }

            read += got;
        }

        return new HostileRequest(start[0], start[1], scheme, headers, Encoding.UTF8.GetString(body, 0, read));
    }

    private static bool EndsWithBlankLine(MemoryStream head)
    {
        if (head.Length < 4)
        {
            return false;
        }

        var b = head.GetBuffer();
        var n = (int)head.Length;
        return b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }
}
