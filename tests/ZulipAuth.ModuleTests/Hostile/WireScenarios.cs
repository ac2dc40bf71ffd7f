using System.Text;
using static ZulipAuth.ModuleTests.Hostile.Answers;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>HTTP itself broken: lengths, framing, status lines, headers, compression, slow and endless bodies.</summary>
public static class WireScenarios
{
    private const string Unexpected = "ZulipUnexpectedResponse";
    private const string Retries = "retries of a password request";
    private const string Compression = "gzip/deflate garbage or over the 1 MiB cap";
    private const string Retry = "-MaximumRetryCount 3 -RetryIntervalSec 1";

    private static string Head(int status, string headers) => $"HTTP/1.1 {status} {HostileWire.Reason(status)}\r\n{headers}\r\n";

    /// <summary>A broken answer to the password POST: never retried, whatever -MaximumRetryCount says.</summary>
    private static HostileCase Post(string name, string? errorId, string decision, Responder answer, string extra = Retry, double max = 8) =>
        new(name, HostileCommand.GetKey, errorId, decision, s => s.On("POST", FetchPath, answer))
        {
            Extra = extra,
            MaxSeconds = max,
            Verify = (s, _, _) => Assert.Equal(1, s.Posts),
        };

    private static HostileCase Get(string name, string? errorId, string decision, Responder answer, string extra = "", double max = 8) =>
        new(name, HostileCommand.Settings, errorId, decision, s => s.On("GET", SettingsPath, answer)) { Extra = extra, MaxSeconds = max };

    private static Responder Drip(string text, TimeSpan pause) => async (_, w) =>
    {
        try
        {
            foreach (var b in Encoding.ASCII.GetBytes(text))
            {
                await w.WriteAsync(new[] { b });
                await Task.Delay(pause, w.Stopping);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    };

    private static Responder Then(string head, byte[] chunk, TimeSpan pause) => async (_, w) =>
    {
        await w.WriteAsync(head);
        await w.KeepWritingAsync(chunk, pause);
    };

    private static Responder Encoded(string encoding, byte[] body) => Bytes(200, body, "Content-Encoding: " + encoding);

    public static IEnumerable<HostileCase> All()
    {
        var good = FetchWith();
        var goodBytes = Encoding.UTF8.GetBytes(good);

        // Lengths that lie.
        yield return Post("truncated 200 (Content-Length longer than the body)", "ZulipConnectionFailed", Retries, Raw(Head(200, "Content-Type: application/json\r\nContent-Length: 500\r\n") + good[..20]));
        yield return Post("Content-Length shorter than the body", Unexpected, "main", Raw(Head(200, "Content-Type: application/json\r\nContent-Length: 20\r\n") + good));
        // The framework ignores a Content-Length it cannot read and takes the body up to the close.
        yield return Post("Content-Length negative", null, "main", Raw(Head(200, "Content-Type: application/json\r\nContent-Length: -1\r\n") + good));
        yield return Post("Content-Length not a number", null, "main", Raw(Head(200, "Content-Type: application/json\r\nContent-Length: lots\r\n") + good));
        yield return Post("two different Content-Lengths", null, "main", Raw(Head(200, $"Content-Type: application/json\r\nContent-Length: {good.Length}\r\nContent-Length: 5\r\n") + good));
        yield return Post("Content-Length 2^63", Unexpected, "over 1 MiB (main's too-large outcome)", Raw(Head(200, "Content-Type: application/json\r\nContent-Length: 9223372036854775807\r\n") + good));
        yield return Post("connection closed before any answer", "ZulipConnectionFailed", Retries, (_, _) => Task.CompletedTask);
        yield return Post("connection closed mid status line", "ZulipConnectionFailed", Retries, Raw("HTTP/1.1 20"));

        // Framing.
        yield return Post("HTTP/1.0 without a length, closed after the body", null, "main", Raw("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + good));
        yield return Post("HTTP/1.0 without a length, endless", Unexpected, "over 1 MiB (main's too-large outcome)", Then("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"result\":\"success\",\"x\":\"", Encoding.ASCII.GetBytes(new string('a', 16384)), TimeSpan.Zero));
        yield return Post("chunked endless body", Unexpected, "over 1 MiB (main's too-large outcome)", Then(Head(200, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n") + "1\r\n{\r\n", Encoding.ASCII.GetBytes("4000\r\n" + new string(' ', 0x4000) + "\r\n"), TimeSpan.Zero));
        yield return Post("chunk size not hex", "ZulipConnectionFailed", Retries, Raw(Head(200, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n") + "zz\r\n{}\r\n0\r\n\r\n"));
        yield return Post("chunk size 2^64-1", "ZulipConnectionFailed", Retries, Raw(Head(200, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n") + "ffffffffffffffff\r\n{}"));
        yield return Post("chunked and Content-Length both", null, "main", Raw(Head(200, $"Content-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n") + $"{good.Length:x}\r\n{good}\r\n0\r\n\r\n"));

        // Status lines and headers.
        yield return Post("invalid status line", "ZulipConnectionFailed", Retries, Raw("HTTP/1.1 abc Nope\r\nContent-Length: 2\r\n\r\n{}"));
        yield return Post("not HTTP at all", "ZulipConnectionFailed", Retries, Raw("SSH-2.0-OpenSSH_9.6\r\n"));
        yield return Post("status 999", "ZulipServerError", "main", Raw("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\n{}"));
        yield return Post("headers over 64 KiB", "ZulipConnectionFailed", Retries, Raw(Head(200, "X-Big: " + new string('h', 70 * 1024) + "\r\nContent-Length: 2\r\n") + "{}"));
        yield return Post("ten thousand small headers", "ZulipConnectionFailed", Retries, Raw(Head(200, string.Concat(Enumerable.Range(0, 10_000).Select(i => $"X-H{i}: v\r\n")) + "Content-Length: 2\r\n") + "{}"));
        yield return Post("NUL in a header", Unexpected, Retries, Raw(Head(200, "X-Evil: a\0b\r\nContent-Length: 2\r\n") + "{}"));
        yield return Post("bare LF line ends", null, "main", Raw($"HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: {good.Length}\n\n{good}"));
        yield return Post("100 Continue flood then the answer", null, "main", Raw(string.Concat(Enumerable.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 2000)) + Head(200, $"Content-Type: application/json\r\nContent-Length: {good.Length}\r\n") + good));
        yield return Post("endless 100 Continue", "ZulipTimeout", "main (bounded by -TimeoutSec)", Then(string.Empty, Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n"), TimeSpan.FromMilliseconds(1)), "-TimeoutSec 2", max: 6);
        yield return Post("407 from the Zulip server, no proxy", Unexpected, "HTTP 407 when no proxy is used", Json(407, ZulipError("Proxy Authentication Required"), "Proxy-Authenticate: Basic realm=\"evil\""));

        // Slow answers: -TimeoutSec bounds the whole exchange, headers and body.
        yield return Post("status line dripped 1 byte a second", "ZulipTimeout", "main (bounded by -TimeoutSec)", Drip(Head(200, $"Content-Length: {good.Length}\r\n") + good, TimeSpan.FromSeconds(1)), "-TimeoutSec 2", max: 6);
        yield return Post("body dripped 1 byte a second", "ZulipTimeout", "main (bounded by -TimeoutSec)", async (r, w) =>
        {
            await w.WriteAsync(Head(200, $"Content-Type: application/json\r\nContent-Length: {good.Length}\r\n"));
            await Drip(good, TimeSpan.FromSeconds(1))(r, w);
        }, "-TimeoutSec 2", max: 6);
        yield return Get("settings body dripped 1 byte a second", "ZulipTimeout", "main (bounded by -TimeoutSec)", async (r, w) =>
        {
            var body = SettingsJson(w.Server.Http);
            await w.WriteAsync(Head(200, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n"));
            await Drip(body, TimeSpan.FromSeconds(1))(r, w);
        }, "-TimeoutSec 2", max: 6);
        yield return Get("settings never answers", "ZulipTimeout", "main (bounded by -TimeoutSec)", (_, w) => Task.Delay(Timeout.Infinite, w.Stopping), "-TimeoutSec 1", max: 5);

        // Compression.
        yield return Post("gzip garbage", Unexpected, Compression, Encoded("gzip", Garbage));
        yield return Post("deflate garbage", Unexpected, Compression, Encoded("deflate", Garbage));
        yield return Post("gzip header then garbage", Unexpected, Compression, Encoded("gzip", new byte[] { 0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF }.Concat(Garbage).ToArray()));
        yield return Post("gzip truncated", Unexpected, Compression, Encoded("gzip", Gzip(goodBytes)[..20]));
        yield return Post("gzip bomb (10 MiB)", Unexpected, Compression, Encoded("gzip", Bomb(10, Gzip)));
        yield return Post("deflate bomb (10 MiB)", Unexpected, Compression, Encoded("deflate", Bomb(10, Deflate)));
        yield return Post("brotli bomb (10 MiB)", Unexpected, Compression, Encoded("br", Bomb(10, Brotli)));
        yield return Post("brotli garbage", Unexpected, Compression, Encoded("br", Garbage));
        yield return Post("gzip twice (gzip, gzip)", Unexpected, Compression, Encoded("gzip, gzip", Gzip(Gzip(goodBytes))[..30]));
        yield return Get("settings gzip garbage", Unexpected, Compression, Encoded("gzip", Garbage));
        yield return Get("settings deflate garbage", Unexpected, Compression, Encoded("deflate", Garbage));
        yield return Get("settings gzip bomb", Unexpected, Compression, async (r, w) => await w.RespondAsync(200, Bomb(10, Gzip), "application/json", "Content-Encoding: gzip"));
        yield return Post("valid gzip answer is read", null, "main", Encoded("gzip", Gzip(goodBytes)));
        yield return Post("unknown Content-Encoding", null, "main", Encoded("x-evil", goodBytes));

        // A plain-http answer on the TLS port, and TLS that then breaks.
        yield return new HostileCase("https server speaks plain http", HostileCommand.Settings, "ZulipCertificateError", "main (a failed TLS handshake)", _ => { })
        {
            Tls = true,
            ServerArgument = s => $"https://127.0.0.1:{PlainOnly(s)}",
        };
    }

    /// <summary>A second listener that answers anything in plain http, even a TLS ClientHello.</summary>
    private static int PlainOnly(HostileServer s)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"), stop.Token);
                await Task.Delay(200, stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
            {
            }
            finally
            {
                listener.Stop();
            }
        });
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
