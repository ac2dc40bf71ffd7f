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
    public sealed partial class ZulipClient
    {
        // zerver/lib/utils.py has_api_key_format: what Zulip mints and accepts.
        private static readonly Regex ApiKeyFormat = new Regex("^[A-Za-z0-9]{32}$", RegexOptions.CultureInvariant);

        /// <summary>POST /api/v1/users/me/api_key/regenerate with HTTP Basic email:current key. Not idempotent.</summary>
        internal async Task<SecureString> RegenerateApiKeyAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/users/me/api_key/regenerate"))
            {
                Authorization = BasicAuthorization(email, apiKey),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadNewKey(LifecycleRoute.RegenerateOwnKey, response, rotated: true);
        }

        /// <summary>GET /api/v1/bots/{bot_id}/api_key (feature level 463+).</summary>
        internal async Task<SecureString> GetBotApiKeyAsync(Uri server, string email, SecureString apiKey, int botId, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/bots/" + botId.ToString(CultureInfo.InvariantCulture) + "/api_key"))
            {
                Authorization = BasicAuthorization(email, apiKey),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadNewKey(LifecycleRoute.BotApiKey, response, rotated: false);
        }

        /// <summary>POST /api/v1/bots/{bot_id}/api_key/regenerate. Not idempotent.</summary>
        internal async Task<SecureString> RegenerateBotApiKeyAsync(Uri server, string email, SecureString apiKey, int botId, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/bots/" + botId.ToString(CultureInfo.InvariantCulture) + "/api_key/regenerate"))
            {
                Authorization = BasicAuthorization(email, apiKey),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadNewKey(LifecycleRoute.RegenerateBotKey, response, rotated: true);
        }

        /// <summary>GET /api/v1/bots: the caller's own active bots (undocumented; carries api_key on servers before feature level 463).</summary>
        internal async Task<IReadOnlyList<OwnedBot>> GetOwnBotsAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/bots"))
            {
                Authorization = BasicAuthorization(email, apiKey),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsZulipSuccess)
            {
                throw LifecycleErrorMapper.FromResponse(LifecycleRoute.OwnBots, response);
            }

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

        private async Task<ZulipUserDetails> GetUserDetailsAsync(Uri server, string path, string email, SecureString apiKey, LifecycleRoute route, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Get, ServerAddress.Endpoint(server, path))
            {
                Authorization = BasicAuthorization(email, apiKey),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsZulipSuccess)
            {
                throw LifecycleErrorMapper.FromResponse(route, response);
            }

            // users/me answers with the user's fields at the top level; users/{x} nests them under "user".
            var details = ZulipUserDetails.Read(response.Json!.GetObject("user") ?? response.Json);
            return details ?? throw ZulipErrorMapper.Unexpected(response.RequestUri, "the answer has no user_id.");
        }

        /// <summary>
        /// The service token of an outgoing-webhook bot, from <c>realm_bots</c> of POST /api/v1/register (the only
        /// answer that carries it); null when the server does not list it. The queue this registers is never
        /// polled, and the server expires it (ten minutes by default).
        /// </summary>
        internal async Task<SecureString?> GetOutgoingWebhookTokenAsync(Uri server, string email, SecureString apiKey, int botId, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/register"))
            {
                Authorization = BasicAuthorization(email, apiKey),
                FormBody = new FormBody().Add("event_types", "[\"realm_bot\"]").Add("fetch_event_types", "[\"realm_bot\"]").ToArrayAndClear(),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsZulipSuccess)
            {
                throw LifecycleErrorMapper.FromResponse(LifecycleRoute.Register, response);
            }

            var bot = response.Json!.GetArray("realm_bots")?.OfType<JsonObject>().FirstOrDefault(b => b.GetInt("user_id") == botId);
            var token = bot?.GetArray("services")?.OfType<JsonObject>().Select(s => s.GetString("token")).FirstOrDefault(t => !string.IsNullOrEmpty(t));
            return token == null ? null : SecureStrings.ReadOnlyCopy(token);
        }

        /// <summary>POST /api/v1/jwt/fetch_api_key (feature level 160+), the token encoded straight from its SecureString.</summary>
        internal async Task<FetchedApiKey> JwtFetchApiKeyAsync(Uri server, SecureString token, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/jwt/fetch_api_key"))
            {
                FormBody = new FormBody().AddSecret("token", token).Add("include_profile", "true").ToArrayAndClear(),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsZulipSuccess)
            {
                throw LifecycleErrorMapper.FromResponse(LifecycleRoute.JwtFetchApiKey, response);
            }

            var json = response.Json!;
            var key = json.GetString("api_key");
            var email = json.GetString("email");
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(email))
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "the success answer lacks api_key or email.");
            }

            // The answer has no top-level user_id; include_profile adds the user object that carries it.
            var userId = json.GetObject("user")?.GetInt("user_id") ?? json.GetInt("user_id");
            var ignored = json.GetArray("ignored_parameters_unsupported")?.OfType<string>().ToArray() ?? Array.Empty<string>();
            return new FetchedApiKey(server, email!, SecureStrings.ReadOnlyCopy(key!), userId, ignored);
        }

        private static SecureString ReadNewKey(LifecycleRoute route, ZulipResponse response, bool rotated)
        {
            if (!response.IsZulipSuccess)
            {
                throw LifecycleErrorMapper.FromResponse(route, response);
            }

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
