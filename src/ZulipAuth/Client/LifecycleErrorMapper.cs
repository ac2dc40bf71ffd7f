using System;
using System.Net;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The answers of the rotation, bot and JWT routes. Transport-level and generic answers (429, 5xx, pages that
    /// are not Zulip's) are left to <see cref="ZulipErrorMapper"/>; these routes add 400s that Zulip tells apart only
    /// by <c>msg</c>, and 401s whose <c>msg</c> says whether the key, the account or the organization is at fault.
    /// </summary>
    internal static class LifecycleErrorMapper
    {
        public const string GuestMessage = "Not allowed for guest users";
        public const string BotCallerMessage = "This endpoint does not accept bot requests.";
        public const string IncomingWebhookMessage = "This API is not available to incoming webhook bots.";
        public const string NoSuchBotMessage = "No such bot";
        public const string NoSuchUserMessage = "No such user";
        public const string InsufficientPermissionMessage = "Insufficient permission";
        public const string OwnerRequiredMessage = "Must be an organization owner";
        public const string JwtNotEnabledMessage = "JWT authentication is not enabled for this organization";
        public const string JwtMissingMessage = "No JSON web token passed in request";
        public const string JwtBadMessage = "Bad JSON web token";
        public const string JwtNoEmailMessage = "No email specified in JSON web token claims";

        private const string NewKeyHint = "fetch a new key with Get-ZulipApiKey (or read the current one in the web app: Personal settings > Account & privacy > API key).";

        public static ZulipApiException FromResponse(LifecycleRoute route, ZulipResponse response)
        {
            var basis = ZulipErrorMapper.FromResponse(route == LifecycleRoute.JwtFetchApiKey ? ZulipEndpoint.FetchApiKey : ZulipEndpoint.UsersMe, response);
            var status = (int)response.Status;
            var json = response.Json;
            var isZulipError = json != null && json.GetString("result") == "error";
            var code = isZulipError ? json!.GetString("code") : null;
            var msg = isZulipError ? json!.GetString("msg") : null;
            var server = response.RequestUri.GetLeftPart(UriPartial.Authority);

            if (!isZulipError)
            {
                if (status == 404 && route == LifecycleRoute.JwtFetchApiKey)
                {
                    return Remake(basis, ZulipErrorId.FeatureUnsupported, $"{server} has no /api/v1/jwt/fetch_api_key route: JSON Web Token login exists from Zulip 7.0 (feature level 160).", "Upgrade the server, or log in with -Credential.");
                }

                if (status == 404 && route == LifecycleRoute.BotApiKey)
                {
                    return Remake(basis, ZulipErrorId.FeatureUnsupported, $"{server} has no GET /api/v1/bots/{{bot_id}}/api_key route (Zulip 12.0, feature level 463).", "On older servers only the bot's owner can read its key (from its own bot list); an administrator can regenerate it with Reset-ZulipBotApiKey.");
                }

                return basis;
            }

            if (status == 401 && route != LifecycleRoute.JwtFetchApiKey && (code == "UNAUTHORIZED" || code == null))
            {
                switch (msg)
                {
                    case "Account is deactivated":
                        return Remake(basis, ZulipErrorId.UserDeactivated, msg, "The account that owns this key is deactivated; ask an administrator of the organization to reactivate it.");
                    case "This organization has been deactivated":
                        return Remake(basis, ZulipErrorId.RealmDeactivated, msg, "The whole organization is deactivated; ask the server's administrator.");
                    case IncomingWebhookMessage:
                        return Remake(basis, ZulipErrorId.BotCallerNotAllowed, msg, "An incoming-webhook bot cannot manage keys, not even its own; its owner or an administrator can regenerate it with Reset-ZulipBotApiKey.");
                    case "Account is not associated with this subdomain":
                        return Remake(basis, ZulipErrorId.InvalidApiKey, msg, "The key belongs to another organization on this server: use -Server with that organization's URL, or " + NewKeyHint);
                    default:
                        return Remake(basis, ZulipErrorId.InvalidApiKey, msg, "The key (or the email paired with it) is not accepted; it may have been regenerated elsewhere: " + NewKeyHint);
                }
            }

            if (status == 400 || code == "UNAUTHORIZED_PRINCIPAL")
            {
                switch (msg)
                {
                    case GuestMessage:
                        return Remake(basis, ZulipErrorId.GuestNotAllowed, msg, "Guests cannot manage bots; use the key of a member, the bot's owner or an administrator.");
                    case BotCallerMessage:
                        return Remake(basis, ZulipErrorId.BotCallerNotAllowed, msg, "A bot cannot manage bot keys (not even its own); use the key of the bot's owner or of an administrator.");
                    case NoSuchBotMessage:
                        return Remake(basis, ZulipErrorId.NoSuchBot, msg, "No bot with that id exists in this organization; list the bots in the web app (Personal settings > Bots, or Organization settings > Bots).");
                    case NoSuchUserMessage:
                        return Remake(basis, ZulipErrorId.NoSuchUser, msg, "No user with that email exists in this organization (or its email is hidden from you); use -BotId with the bot's user id instead.");
                    case InsufficientPermissionMessage:
                        return Remake(basis, ZulipErrorId.InsufficientPermission, msg, "Only the bot's owner and organization administrators may do this; use one of their keys.");
                    case OwnerRequiredMessage:
                        return Remake(basis, ZulipErrorId.OwnerRequired, msg, "This bot may create users, so only an organization owner may manage its key; use an owner's key.");
                    case JwtNotEnabledMessage:
                        return Remake(basis, ZulipErrorId.JwtNotEnabled, msg, "The server has no JWT_AUTH_KEYS entry for this organization; ask its administrator, or log in with -Credential.");
                    case JwtMissingMessage:
                        return Remake(basis, ZulipErrorId.JwtInvalid, msg, "Pass the token in -JsonWebToken.");
                    case JwtBadMessage:
                        return Remake(basis, ZulipErrorId.JwtInvalid, msg, "The token's signature, algorithm or expiry was not accepted: get a fresh token from the organization's issuer (tokens usually expire within minutes).");
                    case JwtNoEmailMessage:
                        return Remake(basis, ZulipErrorId.JwtNoEmail, msg, "The token has no 'email' claim, which Zulip needs to find the user; ask the issuer to add it.");
                }

                if (code == "UNAUTHORIZED_PRINCIPAL")
                {
                    return Remake(basis, ZulipErrorId.OwnerRequired, msg, "Only an organization owner may do this; use an owner's key.");
                }
            }

            if (route == LifecycleRoute.JwtFetchApiKey && code == "AUTHENTICATION_FAILED")
            {
                return Remake(basis, ZulipErrorId.AuthenticationFailed, msg, "The token is valid, but no active user in this organization has the email it names; check the token's 'email' claim.");
            }

            return basis;
        }

        /// <summary>The same answer under another ErrorId, told as the server's words and then what to do.</summary>
        private static ZulipApiException Remake(ZulipApiException basis, string errorId, string? serverWords, string hint)
        {
            var what = string.IsNullOrEmpty(serverWords) ? string.Empty : serverWords!.TrimEnd() + (serverWords!.TrimEnd().EndsWith(".", StringComparison.Ordinal) ? " " : ". ");
            return new ZulipApiException(errorId, what + hint)
            {
                Code = basis.Code,
                StatusCode = basis.StatusCode,
                ServerMessage = basis.ServerMessage,
                RequestUri = basis.RequestUri,
                RetryAfter = basis.RetryAfter,
                IsTransient = false,
                Hint = hint,
                CertainlyNotSent = basis.CertainlyNotSent,
                CompleteAnswer = basis.CompleteAnswer,
                RetrySafety = basis.RetrySafety,
            };
        }
    }
}
