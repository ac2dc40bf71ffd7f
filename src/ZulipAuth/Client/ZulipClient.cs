using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The Zulip endpoints the module calls, with no PowerShell in sight: each method sends one request
    /// through <see cref="HttpTransport"/> and turns the answer into a typed result or a ZulipApiException.
    /// </summary>
    public sealed class ZulipClient
    {
        private readonly HttpTransport transport;

        private readonly HttpClient httpClient;

        public ZulipClient(HttpClient httpClient, TimeSpan timeout, string userAgent)
        {
            this.httpClient = httpClient;
            transport = new HttpTransport(httpClient, timeout, userAgent);
        }

        /// <summary>-AllowUnencryptedAuthentication: every request this client makes that carries a secret may go over plain http.</summary>
        public bool AllowUnencryptedAuthentication { get; set; }

        /// <summary>
        /// Throws ZulipUnencryptedAuthentication when <paramref name="secret"/> may not go to <paramref name="server"/>
        /// by the route this client would take; for a refusal before anything at all is sent. The transport
        /// checks again for every request, against the URL it is actually sent to.
        /// </summary>
        public void RequireEncryption(Uri server, string secret) =>
            EncryptionRule.Require(server, RouteTo(server), AllowUnencryptedAuthentication, secret);

        /// <summary>What settings read for <paramref name="server"/> by this client may be trusted for: certificate checking and the path there.</summary>
        internal string TrustKeyFor(Uri server)
        {
            if (!(httpClient is PooledHttpClient pooled))
            {
                return "unpooled";
            }

            var route = pooled.RouteTo(server);
            return pooled.Options.TrustKey + "|" + (route.IsDirect ? "direct" : route.Proxy?.AbsoluteUri ?? "unknown proxy");
        }

        private ProxyRoute RouteTo(Uri target) =>
            httpClient is PooledHttpClient pooled ? pooled.RouteTo(target) : ProxyRoute.Resolve(SystemProxy.Current, target);

        private ZulipRequest NewRequest(HttpMethod method, Uri uri) => new ZulipRequest(method, uri) { AllowUnencrypted = AllowUnencryptedAuthentication };

        // Every request starts from NewRequest, which carries -AllowUnencryptedAuthentication, and is taken to carry a
        // secret with the strictest retry rule unless the endpoint below says otherwise.

        /// <summary>GET /api/v1/server_settings (unauthenticated; follows same-host redirects).</summary>
        public async Task<ZulipServerSettings> GetServerSettingsAsync(Uri server, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/server_settings"));
            request.Secret = null;
            request.RetrySafety = RetrySafety.Idempotent;
            request.FollowSameHostRedirects = true;
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsZulipSuccess)
            {
                throw ZulipErrorMapper.FromResponse(ZulipEndpoint.ServerSettings, response);
            }

            return ServerSettingsReader.Read(server, response);
        }

        /// <summary>POST /api/v1/fetch_api_key. The password is encoded from the SecureString at the last moment.</summary>
        public async Task<FetchedApiKey> FetchApiKeyAsync(Uri server, string username, SecureString password, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/fetch_api_key"));
            request.Secret = "the password and the key";
            request.RetrySafety = RetrySafety.WhenNotProcessed;
            request.FormBody = new FormBody().Add("username", username).AddSecret("password", password).ToArrayAndClear();
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadApiKey(ZulipEndpoint.FetchApiKey, server, response);
        }

        /// <summary>POST /api/v1/dev_fetch_api_key, which only a Zulip development environment has.</summary>
        public async Task<FetchedApiKey> DevFetchApiKeyAsync(Uri server, string email, CancellationToken cancellationToken)
        {
            // No password goes out, but the key comes back: it gets the rules of a request that carries one.
            var request = NewRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/dev_fetch_api_key"));
            request.Secret = "the key";
            request.RetrySafety = RetrySafety.WhenNotProcessed;
            request.FormBody = new FormBody().Add("username", email).ToArrayAndClear();
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadApiKey(ZulipEndpoint.DevFetchApiKey, server, response);
        }

        /// <summary>GET /api/v1/users/me with HTTP Basic email:key: the cheapest call that proves a key works.</summary>
        public async Task<OwnUser> GetOwnUserAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/users/me"));
            request.Secret = "the API key";
            request.RetrySafety = RetrySafety.Idempotent;
            request.Authorization = BasicAuthorization(email, apiKey);
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsZulipSuccess)
            {
                throw ZulipErrorMapper.FromResponse(ZulipEndpoint.UsersMe, response);
            }

            var userId = response.Json!.GetInt("user_id") ?? throw ZulipErrorMapper.Unexpected(response.RequestUri, "the answer has no user_id.");
            return new OwnUser(userId, response.Json.GetString("email"), response.Json.GetString("full_name"));
        }

        private static FetchedApiKey ReadApiKey(ZulipEndpoint endpoint, Uri server, ZulipResponse response)
        {
            if (!response.IsZulipSuccess)
            {
                throw ZulipErrorMapper.FromResponse(endpoint, response);
            }

            var json = response.Json!;
            var key = json.GetString("api_key");
            var email = json.GetString("email");
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(email))
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "the success answer lacks api_key or email.");
            }

            var secure = SecureStrings.ReadOnlyCopy(key!);
            var ignored = json.GetArray("ignored_parameters_unsupported")?.OfType<string>().ToArray() ?? Array.Empty<string>();
            return new FetchedApiKey(server, email!, secure, json.GetInt("user_id"), ignored);
        }

        private static AuthenticationHeaderValue BasicAuthorization(string email, SecureString apiKey)
        {
            // The header value has to be a string; it lives only as long as the request.
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(apiKey);
            try
            {
                var pair = email + ":" + Marshal.PtrToStringUni(pointer, apiKey.Length);
                return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}
