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
    internal sealed partial class ZulipClient
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

        /// <summary>Real keys are 32 characters of [A-Za-z0-9]; anything far longer or not printable ASCII is not a key.</summary>
        internal const int MaxApiKeyLength = 256;

        /// <summary>GET /api/v1/server_settings (unauthenticated; follows same-host redirects).</summary>
        public Task<ZulipServerSettings> GetServerSettingsAsync(Uri server, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/server_settings"));
            request.Secret = null;
            request.RetrySafety = RetrySafety.Idempotent;
            request.FollowSameHostRedirects = true;
            return SendAsync(ZulipEndpoint.ServerSettings, request, response => ServerSettingsReader.Read(server, response), cancellationToken);
        }

        /// <summary>POST /api/v1/fetch_api_key. The password is encoded from the SecureString at the last moment.</summary>
        public Task<FetchedApiKey> FetchApiKeyAsync(Uri server, string username, SecureString password, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/fetch_api_key"));
            request.Secret = "the password and the key";
            request.RetrySafety = RetrySafety.WhenNotProcessed;
            request.FormBody = new FormBody().Add("username", username).AddSecret("password", password).ToArrayAndClear();
            request.Secrets = RequestSecrets.None.With(password);
            return SendAsync(ZulipEndpoint.FetchApiKey, request, response => ReadApiKey(server, response, request.Secrets), cancellationToken);
        }

        /// <summary>POST /api/v1/dev_fetch_api_key, which only a Zulip development environment has.</summary>
        public Task<FetchedApiKey> DevFetchApiKeyAsync(Uri server, string email, CancellationToken cancellationToken)
        {
            // No password goes out, but the key comes back: it gets the rules of a request that carries one.
            var request = NewRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/dev_fetch_api_key"));
            request.Secret = "the key";
            request.RetrySafety = RetrySafety.WhenNotProcessed;
            request.FormBody = new FormBody().Add("username", email).ToArrayAndClear();
            return SendAsync(ZulipEndpoint.DevFetchApiKey, request, response => ReadApiKey(server, response, request.Secrets), cancellationToken);
        }

        /// <summary>GET /api/v1/users/me with HTTP Basic email:key: the cheapest call that proves a key works.</summary>
        public Task<OwnUser> GetOwnUserAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/users/me"));
            request.Secret = "the API key";
            request.RetrySafety = RetrySafety.Idempotent;
            request.Authorization = BasicAuthorization(email, apiKey);
            request.Secrets = RequestSecrets.None.WithBasic(email, apiKey);
            return SendAsync(ZulipEndpoint.UsersMe, request, response =>
            {
                var json = response.Json!;
                var userId = RequireUserId(response, required: true)!.Value;
                var ownEmail = json.GetString("email");
                if (ownEmail == null || !IsUsableEmail(ownEmail))
                {
                    throw ZulipErrorMapper.Unexpected(response.RequestUri, "its email is missing, empty, not a string or contains control characters.");
                }

                return new OwnUser(userId, ownEmail, request.Secrets.Apply(json.GetString("full_name")));
            }, cancellationToken);
        }

        /// <summary>
        /// The one way an endpoint sends its request: a failure becomes the endpoint's ZulipApiException, and every
        /// failure, whoever raised it, leaves here with the request's secrets masked.
        /// </summary>
        private Task<T> SendAsync<T>(ZulipEndpoint endpoint, ZulipRequest request, Func<ZulipResponse, T> read, CancellationToken cancellationToken) =>
            SendAsync(request, response => ZulipErrorMapper.FromResponse(endpoint, response), read, cancellationToken);

        /// <summary>As above, with the endpoint's own reading of a failed answer.</summary>
        private async Task<T> SendAsync<T>(ZulipRequest request, Func<ZulipResponse, ZulipApiException> fail, Func<ZulipResponse, T> read, CancellationToken cancellationToken)
        {
            try
            {
                var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!response.IsZulipSuccess)
                {
                    throw fail(response);
                }

                return read(response);
            }
            catch (ZulipApiException failure) when (!request.Secrets.IsEmpty)
            {
                throw request.Secrets.Apply(failure);
            }
        }

        private static FetchedApiKey ReadApiKey(Uri server, ZulipResponse response, RequestSecrets secrets)
        {
            var json = response.Json!;
            var key = json.GetString("api_key");
            var email = json.GetString("email");
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(email))
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "the success answer lacks api_key or email, or one of them is not a string.");
            }

            // Checked before the key is copied: a SecureString holds at most 65,536 characters and throws beyond.
            if (!IsPlausibleKey(key!))
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, $"its api_key is not a Zulip key (one is 32 letters and digits; this one has {key!.Length} characters, or characters outside printable ASCII).");
            }

            if (!IsUsableEmail(email!))
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "its email contains control characters.");
            }

            var userId = RequireUserId(response, required: false);
            var ignored = json.GetArray("ignored_parameters_unsupported")?.OfType<string>().ToArray() ?? Array.Empty<string>();
            var secure = SecureStrings.ReadOnlyCopy(key!);
            if (ignored.Length > 0)
            {
                ignored = secrets.With(secure).Apply(ignored);
            }

            return new FetchedApiKey(server, email!, secure, userId, ignored);
        }

        /// <summary>
        /// user_id as a positive int; absent (or null) is allowed only where old servers leave it out. A string, a
        /// fraction, a negative or an out-of-range number is not a Zulip answer.
        /// </summary>
        private static int? RequireUserId(ZulipResponse response, bool required)
        {
            var json = response.Json!;
            if (!json.TryGetValue("user_id", out var value) || value == null)
            {
                return required ? throw ZulipErrorMapper.Unexpected(response.RequestUri, "the answer has no user_id.") : (int?)null;
            }

            var id = json.GetInt("user_id");
            if (id == null || id.Value <= 0)
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "its user_id is not a positive whole number.");
            }

            return id;
        }

        internal static bool IsPlausibleKey(string key)
        {
            if (key.Length > MaxApiKeyLength)
            {
                return false;
            }

            foreach (var c in key)
            {
                if (c <= ' ' || c > '~')
                {
                    return false;
                }
            }

            return true;
        }

        internal static bool IsUsableEmail(string email) => email.Length > 0 && !DisplayText.HasUnsafe(email);

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
