using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>
/// POST /api/v1/fetch_api_key (zerver/views/auth.py api_fetch_api_key + the auth backends).
/// Check order, as on the server: method → username present → password present → Host names the
/// organization → username is an email (unless LDAP) → rate limit (counted) → password auth enabled →
/// empty password → user lookup → organization deactivated → user deactivated → password → too weak.
/// </summary>
internal static class FetchApiKeyEndpoint
{
    public const string Path = "/api/v1/fetch_api_key";

    private static readonly string[] KnownParameters = ["username", "password"];

    public static async Task HandleAsync(ServerState state, HttpContext context, RequestParameters parameters, CancellationToken cancellationToken)
    {
        var behaviour = state.Behaviour;

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await ZulipErrors.MethodNotAllowedAsync(context, ["POST"], cancellationToken);
            return;
        }

        var username = parameters.Get("username");
        if (username is null)
        {
            await ZulipErrors.MissingArgumentAsync(state, context, "username", cancellationToken);
            return;
        }

        var password = parameters.Get("password");
        if (password is null)
        {
            await ZulipErrors.MissingArgumentAsync(state, context, "password", cancellationToken);
            return;
        }

        if (state.ResolveHost(context.Request) != HostTarget.Realm)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status404NotFound, ZulipErrors.InvalidSubdomain,
                "NONEXISTENT_SUBDOMAIN", cancellationToken);
            return;
        }

        var ldap = behaviour.LdapEnabled;
        if (!ldap && !EmailValidator.IsValid(username))
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, ZulipErrors.InvalidEmail,
                "BAD_REQUEST", cancellationToken);
            return;
        }

        // Counted per username exactly as typed, before anything about the account is known, so even the
        // right password is refused while the limit holds.
        var wait = state.RateLimiter.TryAttempt(username, behaviour.RateLimitAttempts, behaviour.RateLimitWindow, behaviour.Clock.GetUtcNow());
        if (wait is { } seconds)
        {
            await ZulipErrors.RateLimitedAsync(state, context, seconds, cancellationToken);
            return;
        }

        if (!behaviour.PasswordAuthEnabled && !ldap)
        {
            await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.PasswordAuthDisabled, "PASSWORD_AUTH_DISABLED",
                "password auth disabled", cancellationToken);
            return;
        }

        switch (Authenticate(state, username, password, ldap, out var user))
        {
            case Outcome.Success:
                state.RateLimiter.Clear(username);
                await ZulipErrors.ApiKeySuccessAsync(state, context, user!, parameters, KnownParameters, cancellationToken);
                break;
            case Outcome.InvalidSubdomain:
                await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status404NotFound, ZulipErrors.InvalidSubdomain,
                    "NONEXISTENT_SUBDOMAIN", cancellationToken);
                break;
            case Outcome.RealmDeactivated:
                await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.RealmDeactivated, "REALM_DEACTIVATED",
                    "realm deactivated", cancellationToken);
                break;
            case Outcome.UserDeactivated:
                await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.UserDeactivated, "USER_DEACTIVATED",
                    "user disabled", cancellationToken);
                break;
            case Outcome.PasswordResetRequired:
                await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.PasswordResetRequired, "PASSWORD_RESET_REQUIRED",
                    "password reset needed", cancellationToken);
                break;
            default:
                await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.AuthenticationFailed, "AUTHENTICATION_FAILED",
                    "incorrect_creds", cancellationToken);
                break;
        }
    }

    private enum Outcome
    {
        Failed,
        Success,
        InvalidSubdomain,
        RealmDeactivated,
        UserDeactivated,
        PasswordResetRequired,
    }

    private static Outcome Authenticate(ServerState state, string username, string password, bool ldap, out TestUser? user)
    {
        var behaviour = state.Behaviour;
        user = null;

        // EmailAuthBackend returns before any lookup when the password is empty.
        if (password.Length == 0)
            return Outcome.Failed;

        var found = ServerState.FindInRealm(username) ?? (ldap ? ServerState.FindByLdapLogin(username) : null);
        if (found is null)
            return ServerState.ExistsInOtherRealm(username) ? Outcome.InvalidSubdomain : Outcome.Failed;

        if (behaviour.RealmDeactivated)
            return Outcome.RealmDeactivated;
        if (!behaviour.IsUserActive(found))
            return Outcome.UserDeactivated;

        // An LDAP account's password is only checkable through LDAP; an email account's only through
        // EmailAuthBackend. An account with no password (SSO sign-up) never matches.
        var backendAvailable = found.IsLdapUser ? ldap : behaviour.PasswordAuthEnabled;
        if (!backendAvailable || found.Password is null || !string.Equals(found.Password, password, StringComparison.Ordinal))
            return Outcome.Failed;

        if (found.PasswordResetRequired)
            return Outcome.PasswordResetRequired;

        user = found;
        return Outcome.Success;
    }
}
