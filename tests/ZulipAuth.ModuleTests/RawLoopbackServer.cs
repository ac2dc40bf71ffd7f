using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// <see cref="BrokenHttpServer"/> driven by method and path, for tests that answer with a JSON body (a 200) or a
/// whole raw answer starting with "HTTP/": answers no real Zulip (nor the Kestrel test server) would send.
/// </summary>
internal sealed class RawLoopbackServer : IAsyncDisposable
{
    private readonly BrokenHttpServer server;

    /// <param name="answer">Method and path to the whole JSON body of a 200 answer, or to a full raw answer starting with "HTTP/".</param>
    public RawLoopbackServer(Func<string, string, string> answer)
    {
        server = new BrokenHttpServer(line =>
        {
            var parts = line.Split(' ');
            var text = answer(parts[0], parts.Length > 1 ? parts[1] : string.Empty);
            return text.StartsWith("HTTP/", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(text) : Encoding.UTF8.GetBytes(Json(200, text));
        });
    }

    /// <summary>The server's URL, without a trailing slash.</summary>
    public string Url => server.Url;

    public int Requests => server.Total;

    public static string Json(int status, string body) =>
        $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
