using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace ZulipAuth.Client
{
    /// <summary>The rest of a key's life: rotation, bot keys, JWT login and the user lookups they need.</summary>
    internal sealed partial class ZulipClient
    {
        // zerver/lib/utils.py has_api_key_format: what Zulip mints and accepts.
        private static readonly Regex ApiKeyFormat = new Regex("^[A-Za-z0-9]{32}$", RegexOptions.CultureInvariant);

        /// <summary>POST /api/v1/users/me/api_key/regenerate with HTTP Basic email:current key. Not idempotent.</summary>
        internal Task<SecureString> RegenerateApiKeyAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            // RetrySafety stays WhenCertainlyNotSent: a rotation that ran twice loses the first new key.
            var request = KeyRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/users/me/api_key/regenerate"), email, apiKey, "the API keys");
            return SendAsync(request, LifecycleRoute.RegenerateOwnKey, response => ReadNewKey(response, rotated: true), cancellationToken);
        }

        /// <summary>GET /api/v1/bots/{bot_id}/api_key (feature level 463+).</summary>
        internal Task<SecureString> GetBotApiKeyAsync(Uri server, string email, SecureString apiKey, int botId, CancellationToken cancellationToken)
        {
            var request = KeyRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/bots/" + botId.ToString(CultureInfo.InvariantCulture) + "/api_key"), email, apiKey, "the API keys");
            request.RetrySafety = RetrySafety.Idempotent;
            return SendAsync(request, LifecycleRoute.BotApiKey, response => ReadNewKey(response, rotated: false), cancellationToken);
        }

        /// <summary>POST /api/v1/bots/{bot_id}/api_key/regenerate. Not idempotent.</summary>
        internal Task<SecureString> RegenerateBotApiKeyAsync(Uri server, string email, SecureString apiKey, int botId, CancellationToken cancellationToken)
        {
            var request = KeyRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/bots/" + botId.ToString(CultureInfo.InvariantCulture) + "/api_key/regenerate"), email, apiKey, "the API keys");
            return SendAsync(request, LifecycleRoute.RegenerateBotKey, response => ReadNewKey(response, rotated: true), cancellationToken);
        }

        /// <summary>GET /api/v1/bots: the caller's own active bots (undocumented; carries api_key on servers before feature level 463).</summary>
        internal Task<IReadOnlyList<OwnedBot>> GetOwnBotsAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            var request = KeyRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/bots"), email, apiKey, "the API keys");
            request.RetrySafety = RetrySafety.Idempotent;
            return SendAsync(request, LifecycleRoute.OwnBots, ReadOwnBots, cancellationToken);
        }

        private static IReadOnlyList<OwnedBot> ReadOwnBots(ZulipResponse response)
        {
            var bots = response.Json!.GetArray("bots") ?? throw ZulipErrorMapper.Unexpected(response.RequestUri, "the answer has no bots list.");
            var result = new List<OwnedBot>();
            foreach (var entry in bots.OfType<JsonObject>())
            {
                var username = entry.GetString("username");
                if (string.IsNullOrEmpty(username))
                {
                    continue;
                }

                var key = entry.GetString("api_key");
                result.Add(new OwnedBot(username!, string.IsNullOrEmpty(key) || !ApiKeyFormat.IsMatch(key) ? null : SecureStrings.ReadOnlyCopy(key!)));
            }

            return result;
        }

        /// <summary>GET /api/v1/users/me, all of it that describes the account.</summary>
        internal Task<ZulipUserDetails> GetOwnUserDetailsAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken) =>
            GetUserDetailsAsync(server, "api/v1/users/me", email, apiKey, LifecycleRoute.UserLookup, cancellationToken);

        /// <summary>GET /api/v1/users/{user_id} or /api/v1/users/{email} (the latter from feature level 39).</summary>
        internal Task<ZulipUserDetails> GetUserAsync(Uri server, string email, SecureString apiKey, string idOrEmail, CancellationToken cancellationToken) =>
            GetUserDetailsAsync(server, "api/v1/users/" + Uri.EscapeDataString(idOrEmail), email, apiKey, LifecycleRoute.UserLookup, cancellationToken);

        private Task<ZulipUserDetails> GetUserDetailsAsync(Uri server, string path, string email, SecureString apiKey, LifecycleRoute route, CancellationToken cancellationToken)
        {
            var request = KeyRequest(HttpMethod.Get, ServerAddress.Endpoint(server, path), email, apiKey, "the API key");
            request.RetrySafety = RetrySafety.Idempotent;
            return SendAsync(request, route, response =>
            {
                // users/me answers with the user's fields at the top level; users/{x} nests them under "user".
                var details = ZulipUserDetails.Read(response.Json!.GetObject("user") ?? response.Json);
                return details ?? throw ZulipErrorMapper.Unexpected(response.RequestUri, "the answer has no user_id.");
            }, cancellationToken);
        }

        /// <summary>
        /// The service token of an outgoing-webhook bot, from <c>realm_bots</c> of POST /api/v1/register (the only
        /// answer that carries it); null when the server does not list it. The queue this registers is never
        /// polled, and the server expires it (ten minutes by default).
        /// </summary>
        internal Task<SecureString?> GetOutgoingWebhookTokenAsync(Uri server, string email, SecureString apiKey, int botId, CancellationToken cancellationToken)
        {
            var request = KeyRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/register"), email, apiKey, "the API key and the bot's token");
            request.RetrySafety = RetrySafety.WhenNotProcessed;
            request.FormBody = new FormBody().Add("event_types", "[\"realm_bot\"]").Add("fetch_event_types", "[\"realm_bot\"]").ToArrayAndClear();
            return SendAsync(request, LifecycleRoute.Register, response =>
            {
                var bot = response.Json!.GetArray("realm_bots")?.OfType<JsonObject>().FirstOrDefault(b => b.GetInt("user_id") == botId);
                var token = bot?.GetArray("services")?.OfType<JsonObject>().Select(s => s.GetString("token")).FirstOrDefault(t => !string.IsNullOrEmpty(t));
                return token == null || token.Length > MaxApiKeyLength ? null : SecureStrings.ReadOnlyCopy(token);
            }, cancellationToken);
        }

        /// <summary>POST /api/v1/jwt/fetch_api_key (feature level 160+), the token encoded straight from its SecureString.</summary>
        internal Task<FetchedApiKey> JwtFetchApiKeyAsync(Uri server, SecureString token, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/jwt/fetch_api_key"));
            request.Secret = "the token and the key";
            request.RetrySafety = RetrySafety.WhenNotProcessed;
            request.FormBody = new FormBody().AddSecret("token", token).Add("include_profile", "true").ToArrayAndClear();
            request.Secrets = RequestSecrets.None.With(token);
            return SendAsync(request, LifecycleRoute.JwtFetchApiKey, response =>
            {
                var fetched = ReadApiKey(server, response, request.Secrets);

                // The answer has no top-level user_id; include_profile adds the user object that carries it.
                if (!fetched.UserId.HasValue && response.Json!.GetObject("user")?.GetInt("user_id") is int id && id > 0)
                {
                    fetched.UserId = id;
                }

                return fetched;
            }, cancellationToken);
        }

        /// <summary>A request authenticated with the caller's key, its secrets masked in every failure.</summary>
        private ZulipRequest KeyRequest(HttpMethod method, Uri uri, string email, SecureString apiKey, string secret)
        {
            var request = NewRequest(method, uri);
            request.Secret = secret;
            request.Authorization = BasicAuthorization(email, apiKey);
            request.Secrets = RequestSecrets.None.WithBasic(email, apiKey);
            return request;
        }

        private Task<T> SendAsync<T>(ZulipRequest request, LifecycleRoute route, Func<ZulipResponse, T> read, CancellationToken cancellationToken) =>
            SendAsync(request, response => LifecycleErrorMapper.FromResponse(route, response), read, cancellationToken);

        private static SecureString ReadNewKey(ZulipResponse response, bool rotated)
        {
            var key = response.Json!.GetString("api_key");
            if (string.IsNullOrEmpty(key) || !ApiKeyFormat.IsMatch(key))
            {
                // Never echo the value: it may be the key, only malformed.
                throw ZulipErrorMapper.Unexpected(response.RequestUri, rotated
                    ? "the success answer has no usable api_key, so the server has probably regenerated the key but the new one is unknown here. Read it in the web app (Personal settings > Account & privacy > API key, or Personal settings > Bots)."
                    : "the success answer has no usable api_key.");
            }

            return SecureStrings.ReadOnlyCopy(key!);
        }
    }
}
