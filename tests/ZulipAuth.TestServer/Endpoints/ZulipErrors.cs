using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>Zulip's error answers (codes and messages from zerver/lib/exceptions.py), shared by the endpoints.</summary>
internal static class ZulipErrors
{
    public const string InvalidSubdomain = "Invalid subdomain";
    public const string InvalidEmail = "Enter a valid email address.";
    public const string AuthenticationFailed = "Your username or password is incorrect";
    public const string OldAuthenticationFailed = "Your username or password is incorrect.";
    public const string UserDeactivated = "Account is deactivated";
    public const string RealmDeactivated = "This organization has been deactivated";
    public const string PasswordAuthDisabled = "Password authentication is disabled in this organization";
    public const string PasswordResetRequired = "Your password has been disabled and needs to be reset";
    public const string RateLimitHit = "API usage exceeded rate limit";

    /// <summary>An error with <paramref name="code"/>, which old servers leave out.</summary>
    public static Task ErrorAsync(
        ServerState state, HttpContext context, int status, string msg, string code, CancellationToken cancellationToken,
        Action<Utf8JsonWriter>? extra = null) =>
        ZulipJson.ErrorAsync(context, status, msg, state.Behaviour.OldServer ? null : code, cancellationToken, extra);

    /// <summary>405 from Zulip's rest_dispatch / require_post: no code, an allowed_methods list and an Allow header.</summary>
    public static Task MethodNotAllowedAsync(HttpContext context, string[] allowed, CancellationToken cancellationToken)
    {
        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ZulipJson.ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed", null, cancellationToken,
            writer =>
            {
                writer.WriteStartArray("allowed_methods");
                foreach (var method in allowed)
                    writer.WriteStringValue(method);
                writer.WriteEndArray();
            });
    }

    /// <summary>400 REQUEST_VARIABLE_MISSING "Missing 'x' argument" with var_name.</summary>
    public static Task MissingArgumentAsync(ServerState state, HttpContext context, string name, CancellationToken cancellationToken) =>
        ErrorAsync(state, context, StatusCodes.Status400BadRequest, $"Missing '{name}' argument", "REQUEST_VARIABLE_MISSING",
            cancellationToken, writer => writer.WriteString("var_name", name));

    /// <summary>429 RATE_LIMIT_HIT with the wait as a float in the body's "retry-after" and in Retry-After.</summary>
    public static Task RateLimitedAsync(ServerState state, HttpContext context, double seconds, CancellationToken cancellationToken)
    {
        context.Response.Headers.RetryAfter = ZulipJson.PythonFloat(seconds);
        return ErrorAsync(state, context, StatusCodes.Status429TooManyRequests, RateLimitHit, "RATE_LIMIT_HIT", cancellationToken,
            writer => ZulipJson.WritePythonFloat(writer, "retry-after", seconds));
    }

    /// <summary>
    /// A login failure from the 401 family. Old servers answered these with 403, a "reason" field and no code;
    /// their failed-login message ends with a period.
    /// </summary>
    public static Task LoginFailureAsync(
        ServerState state, HttpContext context, string msg, string code, string oldReason, CancellationToken cancellationToken)
    {
        if (!state.Behaviour.OldServer)
            return ZulipJson.ErrorAsync(context, StatusCodes.Status401Unauthorized, msg, code, cancellationToken);

        var oldMsg = msg == AuthenticationFailed ? OldAuthenticationFailed : msg;
        return ZulipJson.ErrorAsync(context, StatusCodes.Status403Forbidden, oldMsg, null, cancellationToken,
            writer => writer.WriteString("reason", oldReason));
    }

    /// <summary>Unknown path: Django's HTML "Page not found" (a production server has no JSON for unknown URLs).</summary>
    public static async Task NotFoundAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"UTF-8\"><title>Page not found | Zulip</title></head>\n" +
            "<body>\n<h1>Page not found (404)</h1>\n<p>This page does not exist.</p>\n</body>\n</html>\n");
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.Body.WriteAsync(body, cancellationToken);
    }

    /// <summary>The success body of fetch_api_key and dev_fetch_api_key.</summary>
    public static Task ApiKeySuccessAsync(
        ServerState state, HttpContext context, TestUser user, RequestParameters parameters, string[] knownParameters,
        CancellationToken cancellationToken)
    {
        var behaviour = state.Behaviour;
        var old = behaviour.OldServer;
        var featureLevel = behaviour.FeatureLevel;
        var apiKey = behaviour.CurrentApiKey(user);
        var ignored = parameters.AllKeys.Where(k => !knownParameters.Contains(k, StringComparer.Ordinal)).ToList();

        return ZulipJson.SuccessAsync(context, writer =>
        {
            writer.WriteString("api_key", apiKey);
            // The account's real email, which is what HTTP Basic auth needs (not the typed LDAP username).
            writer.WriteString("email", user.Email);
            if (!old && featureLevel >= 171)
                writer.WriteNumber("user_id", user.UserId);
            if (!old && featureLevel >= 167 && ignored.Count > 0)
            {
                writer.WriteStartArray("ignored_parameters_unsupported");
                foreach (var name in ignored)
                    writer.WriteStringValue(name);
                writer.WriteEndArray();
            }
        }, cancellationToken);
    }
}
