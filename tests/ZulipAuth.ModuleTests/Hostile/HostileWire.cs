using System.Text;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// The raw connection a scenario answers on: it may write anything, including broken HTTP, and must stop when
/// <see cref="Stopping"/> fires (the server's lifetime ended or it was disposed).
/// </summary>
public sealed class HostileWire(Stream stream, HostileServer server, CancellationToken stopping)
{
    public Stream Stream => stream;

    public HostileServer Server => server;

    public CancellationToken Stopping => stopping;

    public Task WriteAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes(text));

    public async Task WriteAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes, stopping);
        await stream.FlushAsync(stopping);
    }

    /// <summary>A well-formed answer with a Content-Length that matches the body.</summary>
    public Task RespondAsync(int status, string body, string contentType = "application/json", params string[] headers) =>
        RespondAsync(status, Encoding.UTF8.GetBytes(body), contentType, headers);

    public async Task RespondAsync(int status, byte[] body, string contentType = "application/json", params string[] headers)
    {
        var head = new StringBuilder();
        head.Append($"HTTP/1.1 {status} {Reason(status)}\r\n");
        head.Append($"Content-Type: {contentType}\r\n");
        head.Append($"Content-Length: {body.Length}\r\n");
        foreach (var h in headers)
        {
            head.Append(h).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        await WriteAsync(Encoding.ASCII.GetBytes(head.ToString()).Concat(body).ToArray());
    }

    /// <summary>Writes until the client goes away or the server stops: what a hostile server does with a slow or endless body.</summary>
    public async Task KeepWritingAsync(byte[] chunk, TimeSpan pause)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await WriteAsync(chunk);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, stopping);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client hung up, which is what the scenario wants it to do.
        }
    }

    public static string Reason(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        407 => "Proxy Authentication Required",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    };
}
