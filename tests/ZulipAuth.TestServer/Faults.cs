using System.Text;
using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Endpoints;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer;

/// <summary>Produces the answers for <see cref="FaultKind"/>. Each answer is bounded in time.</summary>
internal static class Faults
{
    private static readonly TimeSpan EndlessBodyLimit = TimeSpan.FromSeconds(60);

    // Paced so a client with a sane size limit notices within a second, without burning a core.
    private const int EndlessChunkSize = 32 * 1024;
    private static readonly TimeSpan EndlessChunkInterval = TimeSpan.FromMilliseconds(5);

    private const int OversizedPaddingBytes = 2 * 1024 * 1024;

    private static readonly Lazy<byte[]> OversizedBody = new(() => Encoding.UTF8.GetBytes(
        "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"" + TestUsers.Iago.ApiKey + "\",\"email\":\"" + TestUsers.Iago.Email +
        "\",\"user_id\":" + TestUsers.Iago.UserId + ",\"padding\":\"" + new string('x', OversizedPaddingBytes) + "\"}"));

    /// <summary>
    /// Answers with the fault. Returns false when the request should then be answered normally
    /// (<see cref="FaultKind.Delay"/>).
    /// </summary>
    public static async Task<bool> RespondAsync(ServerState state, HttpContext context, FaultKind kind, CancellationToken cancellationToken)
    {
        var behaviour = state.Behaviour;
        switch (kind)
        {
            case FaultKind.Delay:
                await Task.Delay(behaviour.FaultDelay, cancellationToken);
                return false;

            case FaultKind.Stall:
                await StallAsync(context, behaviour.StallLimit, cancellationToken);
                return true;

            case FaultKind.ResetConnection:
                await ResetAsync(context, cancellationToken);
                return true;

            case FaultKind.Html502:
                await NginxPageAsync(context, 502, "Bad Gateway", cancellationToken);
                return true;

            case FaultKind.NotFoundHtml:
                await NginxPageAsync(context, 404, "Not Found", cancellationToken);
                return true;

            case FaultKind.Status503:
                context.Response.Headers.RetryAfter = FormatSeconds(behaviour.FaultRetryAfterSeconds);
                await NginxPageAsync(context, 503, "Service Temporarily Unavailable", cancellationToken);
                return true;

            case FaultKind.Html200:
                await WriteAsync(context, 200, "text/html; charset=utf-8",
                    "<!DOCTYPE html>\n<html>\n<head><title>Welcome to Example Hotel Wi-Fi</title></head>\n" +
                    "<body>\n<h1>Welcome!</h1>\n<p>Please accept the terms of use to continue.</p>\n" +
                    "<form method=\"post\" action=\"/accept\"><button>Accept</button></form>\n</body>\n</html>\n",
                    cancellationToken);
                return true;

            case FaultKind.TruncatedJson:
                // A well-formed HTTP message whose JSON stops mid-object; then the server hangs up.
                context.Response.Headers.Connection = "close";
                await WriteAsync(context, 200, "application/json",
                    "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"gjA04ZYcq", cancellationToken);
                return true;

            case FaultKind.EndlessBody:
                await EndlessAsync(context, cancellationToken);
                return true;

            case FaultKind.OversizedJson:
                await WriteAsync(context, 200, "application/json", OversizedBody.Value, cancellationToken);
                return true;

            case FaultKind.RedirectToHttps:
            {
                // nginx: return 301 https://$host$request_uri;
                var location = $"https://{context.Request.Host.Host}:{state.HttpsPort}{PathAndQuery(context.Request)}";
                context.Response.Headers.Location = location;
                await NginxPageAsync(context, 301, "Moved Permanently", cancellationToken);
                return true;
            }

            case FaultKind.RedirectToOtherHost:
            {
                var request = context.Request;
                var otherHost = request.Host.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : "localhost";
                context.Response.Headers.Location = behaviour.FaultLocation
                    ?? $"{request.Scheme}://{otherHost}:{context.Connection.LocalPort}{PathAndQuery(request)}";
                await WriteAsync(context, 307, "text/html; charset=utf-8", "", cancellationToken);
                return true;
            }

            case FaultKind.MethodRewritten:
                await ZulipErrors.MethodNotAllowedAsync(context, ["POST"], cancellationToken);
                return true;

            case FaultKind.Json500:
                await ZulipJson.ErrorAsync(context, 500, "Internal server error", "BAD_REQUEST", cancellationToken);
                return true;

            case FaultKind.RateLimited:
            {
                var seconds = behaviour.FaultRetryAfterSeconds;
                context.Response.Headers.RetryAfter = ZulipJson.PythonFloat(seconds);
                await ZulipJson.ErrorAsync(context, 429, ZulipErrors.RateLimitHit, "RATE_LIMIT_HIT", cancellationToken,
                    writer => ZulipJson.WritePythonFloat(writer, "retry-after", seconds));
                return true;
            }

            case FaultKind.OtherJsonShape:
                await WriteAsync(context, 200, "application/json", "{\"hello\":\"world\"}", cancellationToken);
                return true;

            case FaultKind.EmptyBody:
                await WriteAsync(context, 200, "application/json", "", cancellationToken);
                return true;

            default:
                return false;
        }
    }

    private static async Task StallAsync(HttpContext context, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(limit, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Client gave up or the server is stopping: nothing to answer.
        }

        context.Abort();
    }

    private static async Task ResetAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = 4096;
        await response.Body.WriteAsync("{\"result\":\"succ"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        // Give the bytes a moment to leave before the connection is torn down.
        await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        context.Abort();
    }

    private static async Task EndlessAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        // No Content-Length: chunked, streamed, never buffered.
        await response.Body.WriteAsync("{\"result\":\"success\",\"msg\":\"\",\"padding\":\""u8.ToArray(), cancellationToken);

        var chunk = new byte[EndlessChunkSize];
        Array.Fill(chunk, (byte)'x');
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(EndlessBodyLimit);
        try
        {
            while (true)
            {
                await response.Body.WriteAsync(chunk, limit.Token);
                await response.Body.FlushAsync(limit.Token);
                await Task.Delay(EndlessChunkInterval, limit.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Time limit, client gone or server stopping.
        }

        // Never end the body properly: it must not look complete.
        context.Abort();
    }

    private static Task NginxPageAsync(HttpContext context, int status, string reason, CancellationToken cancellationToken)
    {
        context.Response.Headers.Server = "nginx";
        var page =
            $"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n" +
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        return WriteAsync(context, status, "text/html", page, cancellationToken);
    }

    private static Task WriteAsync(HttpContext context, int status, string contentType, string body, CancellationToken cancellationToken) =>
        WriteAsync(context, status, contentType, Encoding.UTF8.GetBytes(body), cancellationToken);

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (body.Length > 0 && !HttpMethods.IsHead(context.Request.Method))
            await response.Body.WriteAsync(body, cancellationToken);
    }

    private static string PathAndQuery(HttpRequest request) => $"{request.PathBase}{request.Path}{request.QueryString}";

    /// <summary>Retry-After for a plain HTTP 503: whole seconds print without a fraction ("5"), others as is ("0.5").</summary>
    private static string FormatSeconds(double seconds) =>
        seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
