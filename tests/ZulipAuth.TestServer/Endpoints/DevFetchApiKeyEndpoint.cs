using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>
/// POST /api/v1/dev_fetch_api_key: the development server's password-less login (api_dev_fetch_api_key).
/// Only routed when <see cref="ServerBehaviour.DevelopmentEnvironment"/> is on; production has no such URL.
/// Order: method → username present → DevAuthBackend enabled → valid email → organization from Host →
/// organization deactivated → user deactivated → account in another organization → unknown user.
/// Not rate limited (only the password backends are).
/// </summary>
internal static class DevFetchApiKeyEndpoint
{
    public const string Path = "/api/v1/dev_fetch_api_key";

    private static readonly string[] KnownParameters = ["username"];

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

        if (!behaviour.DevAuthEnabled)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, "DevAuthBackend not enabled.",
                "BAD_REQUEST", cancellationToken);
            return;
        }

        if (!EmailValidator.IsValid(username))
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, ZulipErrors.InvalidEmail,
                "BAD_REQUEST", cancellationToken);
            return;
        }

        if (state.ResolveHost(context.Request) != HostTarget.Realm)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status404NotFound, ZulipErrors.InvalidSubdomain,
                "NONEXISTENT_SUBDOMAIN", cancellationToken);
            return;
        }

        var user = ServerState.FindInRealm(username);
        if (user is not null && behaviour.RealmDeactivated)
        {
            await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.RealmDeactivated, "REALM_DEACTIVATED",
                "realm deactivated", cancellationToken);
            return;
        }

        if (user is not null && !behaviour.IsUserActive(user))
        {
            await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.UserDeactivated, "USER_DEACTIVATED",
                "user disabled", cancellationToken);
            return;
        }

        if (user is null && ServerState.ExistsInOtherRealm(username))
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status404NotFound, ZulipErrors.InvalidSubdomain,
                "NONEXISTENT_SUBDOMAIN", cancellationToken);
            return;
        }

        if (user is null)
        {
            await ZulipErrors.LoginFailureAsync(state, context, ZulipErrors.AuthenticationFailed, "AUTHENTICATION_FAILED",
                "incorrect_creds", cancellationToken);
            return;
        }

        await ZulipErrors.ApiKeySuccessAsync(state, context, user, parameters, KnownParameters, cancellationToken);
    }
}
