using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>
/// The key-lifecycle routes as key-lifecycle-and-web-login.md describes them: regenerating one's own key, the
/// bot routes (list, read, regenerate), users/{id|email}, POST /register's realm_bots, and JWT login.
/// </summary>
internal static partial class KeyLifecycleEndpoints
{
    public const string RegeneratePath = "/api/v1/users/me/api_key/regenerate";
    public const string BotsPath = "/api/v1/bots";
    public const string RegisterPath = "/api/v1/register";
    public const string JwtPath = "/api/v1/jwt/fetch_api_key";

    public static bool Handles(string path) =>
        path is RegeneratePath or BotsPath or RegisterPath or JwtPath || BotKeyPath().IsMatch(path) || UserPath().IsMatch(path);

    public static Task HandleAsync(ServerState state, HttpContext context, RequestParameters parameters, CancellationToken ct)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == JwtPath)
            return JwtAsync(state, context, parameters, ct);
        if (path == RegeneratePath)
            return WithCaller(state, context, "POST", ct, caller => RegenerateOwnAsync(state, context, caller, ct));
        if (path == BotsPath)
            return WithCaller(state, context, "GET", ct, caller => OwnBotsAsync(state, context, caller, ct));
        if (path == RegisterPath)
            return WithCaller(state, context, "POST", ct, caller => RegisterAsync(state, context, caller, ct));

        var bot = BotKeyPath().Match(path);
        if (bot.Success)
        {
            var regenerate = bot.Groups["regenerate"].Success;
            if (!regenerate && state.Behaviour.FeatureLevel < 463)
                return ZulipErrors.NotFoundAsync(context, ct);
            // Zulip's <int:bot_id> converter: anything else matches no URL.
            if (!int.TryParse(bot.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return ZulipErrors.NotFoundAsync(context, ct);
            return WithCaller(state, context, regenerate ? "POST" : "GET", ct, caller => BotKeyAsync(state, context, caller, id, regenerate, ct));
        }

        var user = UserPath().Match(path);
        return WithCaller(state, context, "GET", ct, caller => UserAsync(state, context, Uri.UnescapeDataString(user.Groups["who"].Value), ct));
    }

    // ---------------------------------------------------------------------------------------------------
    // authenticated_rest_api_view: method, header, scheme, decoding, key format, lookup, email, realm, user,
    // subdomain, incoming-webhook bots.

    private static async Task WithCaller(ServerState state, HttpContext context, string method, CancellationToken ct, Func<TestUser, Task> view)
    {
        var request = context.Request;
        if (!string.Equals(request.Method, method, StringComparison.OrdinalIgnoreCase) && !(method == "GET" && HttpMethods.IsHead(request.Method)))
        {
            await ZulipErrors.MethodNotAllowedAsync(context, [method], ct);
            return;
        }

        var header = request.Headers.Authorization;
        if (header.Count == 0)
        {
            await UnauthorizedAsync(state, context, "Not logged in: API authentication or user session required", ct);
            return;
        }

        var words = header.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2)
        {
            await UnauthorizedAsync(state, context, "Invalid authorization header for basic auth", ct);
            return;
        }

        if (!words[0].Equals("basic", StringComparison.OrdinalIgnoreCase))
        {
            await ZulipErrors.ErrorAsync(state, context, 400, "This endpoint requires HTTP basic authentication.", "BAD_REQUEST", ct);
            return;
        }

        string email, key;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(words[1])).Split(':');
            if (parts.Length != 2)
                throw new FormatException();
            (email, key) = (parts[0].Trim(), parts[1].Trim());
        }
        catch (FormatException)
        {
            await UnauthorizedAsync(state, context, "Invalid authorization header for basic auth", ct);
            return;
        }

        if (!ApiKeyFormat().IsMatch(key))
        {
            await UnauthorizedAsync(state, context, "Malformed API key", ct);
            return;
        }

        var user = state.FindByApiKey(key);
        if (user is null || !string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase))
        {
            await UnauthorizedAsync(state, context, "Invalid API key", ct);
            return;
        }

        if (user.Realm == TestUsers.MainRealm && state.Behaviour.RealmDeactivated)
        {
            await UnauthorizedAsync(state, context, ZulipErrors.RealmDeactivated, ct);
            return;
        }

        if (!state.Behaviour.IsUserActive(user))
        {
            await UnauthorizedAsync(state, context, ZulipErrors.UserDeactivated, ct);
            return;
        }

        if (state.ResolveHost(request) != HostTarget.Realm || user.Realm != TestUsers.MainRealm)
        {
            await UnauthorizedAsync(state, context, "Account is not associated with this subdomain", ct);
            return;
        }

        if (user.BotType == 2)
        {
            await UnauthorizedAsync(state, context, "This API is not available to incoming webhook bots.", ct);
            return;
        }

        await view(user);
    }

    private static Task UnauthorizedAsync(ServerState state, HttpContext context, string msg, CancellationToken ct)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"zulip\"";
        return ZulipErrors.ErrorAsync(state, context, 401, msg, "UNAUTHORIZED", ct);
    }

    private static Task BadRequestAsync(ServerState state, HttpContext context, string msg, CancellationToken ct, string code = "BAD_REQUEST") =>
        ZulipErrors.ErrorAsync(state, context, 400, msg, code, ct);

    // ---------------------------------------------------------------------------------------------------

    private static Task RegenerateOwnAsync(ServerState state, HttpContext context, TestUser caller, CancellationToken ct)
    {
        var key = state.Behaviour.RevokeApiKey(caller.Email);
        return ZulipJson.SuccessAsync(context, w => w.WriteString("api_key", key), ct);
    }

    /// <summary>require_member_or_admin: guests, then any bot, are refused; null when the caller may go on.</summary>
    private static string? RefuseCaller(TestUser caller) =>
        caller.Role == ZulipRole.Guest ? "Not allowed for guest users" : caller.IsBot ? "This endpoint does not accept bot requests." : null;

    private static async Task OwnBotsAsync(ServerState state, HttpContext context, TestUser caller, CancellationToken ct)
    {
        if (RefuseCaller(caller) is { } refusal)
        {
            await BadRequestAsync(state, context, refusal, ct);
            return;
        }

        var behaviour = state.Behaviour;
        var bots = TestUsers.All.Where(u => u.IsBot && u.BotOwnerId == caller.UserId && behaviour.IsUserActive(u)).ToList();
        await ZulipJson.SuccessAsync(context, w =>
        {
            w.WriteStartArray("bots");
            foreach (var bot in bots)
            {
                w.WriteStartObject();
                w.WriteString("username", bot.Email);
                w.WriteString("full_name", bot.FullName);
                // [inferred] whether api_key stays here after FL 474 is not confirmed; this server drops it there.
                if (behaviour.FeatureLevel < 474)
                    w.WriteString("api_key", behaviour.CurrentApiKey(bot));
                w.WriteString("avatar_url", "https://secure.gravatar.com/avatar/0?d=identicon&version=1");
                w.WriteNull("default_sending_stream");
                w.WriteNull("default_events_register_stream");
                w.WriteBoolean("default_all_public_streams", false);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }, ct);
    }

    private static async Task BotKeyAsync(ServerState state, HttpContext context, TestUser caller, int botId, bool regenerate, CancellationToken ct)
    {
        if (RefuseCaller(caller) is { } refusal)
        {
            await BadRequestAsync(state, context, refusal, ct);
            return;
        }

        // access_bot_by_id: deactivated bots included.
        var bot = TestUsers.All.FirstOrDefault(u => u.UserId == botId && u.Realm == TestUsers.MainRealm);
        if (bot is null || !bot.IsBot)
        {
            await BadRequestAsync(state, context, "No such bot", ct);
            return;
        }

        var isAdmin = caller.Role is ZulipRole.Administrator or ZulipRole.Owner;
        if (bot.BotOwnerId != caller.UserId && !isAdmin)
        {
            await BadRequestAsync(state, context, "Insufficient permission", ct);
            return;
        }

        if (bot.CanCreateUsers && caller.Role != ZulipRole.Owner)
        {
            await BadRequestAsync(state, context, "Must be an organization owner", ct, "UNAUTHORIZED_PRINCIPAL");
            return;
        }

        var key = regenerate ? state.Behaviour.RevokeApiKey(bot.Email) : state.Behaviour.CurrentApiKey(bot);
        await ZulipJson.SuccessAsync(context, w => w.WriteString("api_key", key), ct);
    }

    private static async Task UserAsync(ServerState state, HttpContext context, string who, CancellationToken ct)
    {
        var byId = int.TryParse(who, NumberStyles.None, CultureInfo.InvariantCulture, out var id);
        if (!byId && state.Behaviour.FeatureLevel < 39)
        {
            await ZulipErrors.NotFoundAsync(context, ct);
            return;
        }

        var user = TestUsers.All.FirstOrDefault(u => u.Realm == TestUsers.MainRealm &&
            (byId ? u.UserId == id : string.Equals(u.Email, who, StringComparison.OrdinalIgnoreCase)));
        if (user is null)
        {
            await BadRequestAsync(state, context, "No such user", ct);
            return;
        }

        await ZulipJson.SuccessAsync(context, w =>
        {
            w.WriteStartObject("user");
            WriteUser(state, w, user);
            w.WriteEndObject();
        }, ct);
    }

    internal static void WriteUser(ServerState state, Utf8JsonWriter w, TestUser user)
    {
        w.WriteString("email", user.Email);
        w.WriteNumber("user_id", user.UserId);
        w.WriteNumber("avatar_version", 1);
        w.WriteBoolean("is_admin", user.Role is ZulipRole.Administrator or ZulipRole.Owner);
        w.WriteBoolean("is_owner", user.Role == ZulipRole.Owner);
        w.WriteBoolean("is_guest", user.Role == ZulipRole.Guest);
        w.WriteNumber("role", (int)user.Role);
        w.WriteBoolean("is_bot", user.IsBot);
        w.WriteString("full_name", user.FullName);
        w.WriteString("timezone", "");
        w.WriteBoolean("is_active", state.Behaviour.IsUserActive(user));
        w.WriteString("date_joined", "2024-01-01T00:00:00+00:00");
        w.WriteString("avatar_url", "https://secure.gravatar.com/avatar/0?d=identicon&version=1");
        w.WriteString("delivery_email", user.Email);
        if (user.IsBot)
        {
            w.WriteNumber("bot_type", user.BotType!.Value);
            if (user.BotOwnerId is { } owner)
                w.WriteNumber("bot_owner_id", owner);
        }
    }

    /// <summary>POST /register, only as far as realm_bots goes: all bots for administrators, else one's own.</summary>
    private static Task RegisterAsync(ServerState state, HttpContext context, TestUser caller, CancellationToken ct)
    {
        var behaviour = state.Behaviour;
        var isAdmin = caller.Role is ZulipRole.Administrator or ZulipRole.Owner;
        var bots = TestUsers.All.Where(u => u.IsBot && u.Realm == TestUsers.MainRealm && (isAdmin || u.BotOwnerId == caller.UserId)).ToList();
        return ZulipJson.SuccessAsync(context, w =>
        {
            w.WriteString("queue_id", "1517975029:0");
            w.WriteNumber("last_event_id", -1);
            w.WriteNumber("zulip_feature_level", behaviour.FeatureLevel);
            w.WriteString("zulip_version", behaviour.ZulipVersion);
            w.WriteStartArray("realm_bots");
            foreach (var bot in bots)
            {
                w.WriteStartObject();
                w.WriteNumber("user_id", bot.UserId);
                if (behaviour.FeatureLevel < 474)
                {
                    w.WriteString("email", bot.Email);
                    w.WriteString("full_name", bot.FullName);
                    w.WriteNumber("bot_type", bot.BotType!.Value);
                    w.WriteBoolean("is_active", behaviour.IsUserActive(bot));
                    w.WriteString("api_key", behaviour.CurrentApiKey(bot));
                    if (bot.BotOwnerId is { } owner)
                        w.WriteNumber("owner_id", owner);
                }

                w.WriteStartArray("services");
                if (bot.BotType == 3)
                {
                    w.WriteStartObject();
                    w.WriteString("base_url", "https://bots.example.com/hook");
                    w.WriteNumber("interface", 1);
                    w.WriteString("token", bot.ServiceToken ?? "");
                    w.WriteEndObject();
                }
                else if (bot.BotType == 4)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("config_data");
                    w.WriteStartObject();
                    w.WriteEndObject();
                    w.WriteString("service_name", "converter");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }, ct);
    }

    // ---------------------------------------------------------------------------------------------------

    private static async Task JwtAsync(ServerState state, HttpContext context, RequestParameters parameters, CancellationToken ct)
    {
        var behaviour = state.Behaviour;
        if (behaviour.FeatureLevel < 160)
        {
            await ZulipErrors.NotFoundAsync(context, ct);
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await ZulipErrors.MethodNotAllowedAsync(context, ["POST"], ct);
            return;
        }

        var includeProfileText = parameters.Get("include_profile");
        bool includeProfile = false;
        if (includeProfileText is not null && !bool.TryParse(includeProfileText, out includeProfile) || includeProfileText is "True" or "False")
        {
            await BadRequestAsync(state, context, "Argument \"include_profile\" is not valid JSON.", ct);
            return;
        }

        if (state.ResolveHost(context.Request) != HostTarget.Realm)
        {
            await ZulipErrors.ErrorAsync(state, context, 404, ZulipErrors.InvalidSubdomain, "NONEXISTENT_SUBDOMAIN", ct);
            return;
        }

        var secret = behaviour.JwtSecret;
        if (secret is null)
        {
            await BadRequestAsync(state, context, "JWT authentication is not enabled for this organization", ct);
            return;
        }

        var token = parameters.Get("token") ?? "";
        if (token.Length == 0)
        {
            await BadRequestAsync(state, context, "No JSON web token passed in request", ct);
            return;
        }

        var claims = TestJwt.Verify(token, secret, behaviour.Clock.GetUtcNow());
        if (claims is null)
        {
            await BadRequestAsync(state, context, "Bad JSON web token", ct);
            return;
        }

        if (!claims.Value.TryGetProperty("email", out var emailClaim) || emailClaim.ValueKind != JsonValueKind.String)
        {
            await BadRequestAsync(state, context, "No email specified in JSON web token claims", ct);
            return;
        }

        if (behaviour.RealmDeactivated)
        {
            await ZulipErrors.ErrorAsync(state, context, 401, ZulipErrors.RealmDeactivated, "REALM_DEACTIVATED", ct);
            return;
        }

        var email = emailClaim.GetString()!;
        var user = ServerState.FindInRealm(email);
        if (user is null)
        {
            if (ServerState.ExistsInOtherRealm(email))
                await ZulipErrors.ErrorAsync(state, context, 404, ZulipErrors.InvalidSubdomain, "NONEXISTENT_SUBDOMAIN", ct);
            else
                await ZulipErrors.ErrorAsync(state, context, 401, ZulipErrors.AuthenticationFailed, "AUTHENTICATION_FAILED", ct);
            return;
        }

        if (!behaviour.IsUserActive(user))
        {
            await ZulipErrors.ErrorAsync(state, context, 401, ZulipErrors.UserDeactivated, "USER_DEACTIVATED", ct);
            return;
        }

        await ZulipJson.SuccessAsync(context, w =>
        {
            w.WriteString("api_key", behaviour.CurrentApiKey(user));
            w.WriteString("email", user.Email);
            if (includeProfile)
            {
                w.WriteStartObject("user");
                WriteUser(state, w, user);
                w.WriteEndObject();
            }
        }, ct);
    }

    [GeneratedRegex(@"^/api/v1/bots/(?<id>[^/]+)/api_key(?<regenerate>/regenerate)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex BotKeyPath();

    [GeneratedRegex(@"^/api/v1/users/(?<who>(?!me\z)[^/]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserPath();

    [GeneratedRegex(@"^[A-Za-z0-9]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKeyFormat();
}
