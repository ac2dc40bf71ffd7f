using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>
/// GET /api/v1/users/me with HTTP Basic email:api_key — the cheap "is this key good" check
/// (zerver/decorator.py authenticated_rest_api_view → validate_api_key → access_user_by_api_key).
/// Every failure is 401 UNAUTHORIZED with <c>WWW-Authenticate: Basic realm="zulip"</c>, keeping the inner
/// message; the one exception is a non-Basic scheme, a plain 400 in Zulip's code.
/// </summary>
internal static partial class UsersMeEndpoint
{
    public const string Path = "/api/v1/users/me";

    public static async Task HandleAsync(ServerState state, HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            await ZulipErrors.MethodNotAllowedAsync(context, ["GET"], cancellationToken);
            return;
        }

        var header = request.Headers.Authorization;
        if (header.Count == 0)
        {
            await UnauthorizedAsync(state, context, "Missing authorization header for basic auth", cancellationToken);
            return;
        }

        // Python: auth_type, credentials = header.split() — anything but exactly two words is a ValueError.
        var words = (header.ToString()).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2)
        {
            await UnauthorizedAsync(state, context, "Invalid authorization header for basic auth", cancellationToken);
            return;
        }

        if (!words[0].Equals("basic", StringComparison.OrdinalIgnoreCase))
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest,
                "This endpoint requires HTTP basic authentication.", "BAD_REQUEST", cancellationToken);
            return;
        }

        if (!TryDecodeCredentials(words[1], out var email, out var apiKey))
        {
            await UnauthorizedAsync(state, context, "Invalid authorization header for basic auth", cancellationToken);
            return;
        }

        email = email.Trim();
        apiKey = apiKey.Trim();

        if (!ApiKeyFormat().IsMatch(apiKey))
        {
            await UnauthorizedAsync(state, context, "Malformed API key", cancellationToken);
            return;
        }

        var user = state.FindByApiKey(apiKey);
        // A key that is right but for a different account gets the same answer as an unknown key.
        if (user is null || !string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase))
        {
            await UnauthorizedAsync(state, context, "Invalid API key", cancellationToken);
            return;
        }

        var behaviour = state.Behaviour;
        if (user.Realm == TestUsers.MainRealm && behaviour.RealmDeactivated)
        {
            await UnauthorizedAsync(state, context, ZulipErrors.RealmDeactivated, cancellationToken);
            return;
        }

        if (!behaviour.IsUserActive(user))
        {
            await UnauthorizedAsync(state, context, ZulipErrors.UserDeactivated, cancellationToken);
            return;
        }

        if (state.ResolveHost(request) != HostTarget.Realm || user.Realm != TestUsers.MainRealm)
        {
            await UnauthorizedAsync(state, context, "Account is not associated with this subdomain", cancellationToken);
            return;
        }

        // validate_api_key refuses incoming-webhook bots on every route but the webhook ones.
        if (user.BotType == 2)
        {
            await UnauthorizedAsync(state, context, "This API is not available to incoming webhook bots.", cancellationToken);
            return;
        }

        await ZulipJson.SuccessAsync(context, writer =>
        {
            writer.WriteString("avatar_url", GravatarUrl(user.Email));
            writer.WriteNumber("avatar_version", 1);
            writer.WriteString("email", user.Email);
            writer.WriteString("delivery_email", user.Email);
            writer.WriteString("full_name", user.FullName);
            writer.WriteBoolean("is_active", true);
            writer.WriteBoolean("is_admin", user.Role is ZulipRole.Administrator or ZulipRole.Owner);
            writer.WriteBoolean("is_owner", user.Role == ZulipRole.Owner);
            writer.WriteBoolean("is_billing_admin", false);
            writer.WriteBoolean("is_guest", user.Role == ZulipRole.Guest);
            writer.WriteBoolean("is_bot", user.IsBot);
            writer.WriteNumber("role", (int)user.Role);
            writer.WriteString("timezone", "");
            writer.WriteString("date_joined", "2024-01-01T00:00:00+00:00");
            writer.WriteNumber("user_id", user.UserId);
            writer.WriteStartObject("profile_data");
            writer.WriteEndObject();
            writer.WriteNumber("max_message_id", 0);
        }, cancellationToken);
    }

    private static Task UnauthorizedAsync(ServerState state, HttpContext context, string msg, CancellationToken cancellationToken)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"zulip\"";
        return ZulipErrors.ErrorAsync(state, context, StatusCodes.Status401Unauthorized, msg, "UNAUTHORIZED", cancellationToken);
    }

    /// <summary>Python's base64.b64decode(credentials).decode().split(":") into exactly two parts.</summary>
    private static bool TryDecodeCredentials(string encoded, out string email, out string apiKey)
    {
        email = apiKey = "";

        // b64decode without validate=True drops characters outside the alphabet before decoding.
        var cleaned = new string(encoded.Where(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=').ToArray());
        var bytes = new byte[cleaned.Length];
        if (!Convert.TryFromBase64String(cleaned, bytes, out var length))
            return false;

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != 2)
            return false;

        email = parts[0];
        apiKey = parts[1];
        return true;
    }

    private static string GravatarUrl(string email)
    {
        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())));
        return $"https://secure.gravatar.com/avatar/{hash}?d=identicon&version=1";
    }

    // zerver/lib/utils.py has_api_key_format.
    [GeneratedRegex(@"^[A-Za-z0-9]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKeyFormat();
}
