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
    public sealed partial class ZulipClient
    {
        private readonly HttpTransport transport;

        public ZulipClient(HttpClient httpClient, TimeSpan timeout, string userAgent)
        {
            transport = new HttpTransport(httpClient, timeout, userAgent);
        }

        /// <summary>GET /api/v1/server_settings (unauthenticated; follows same-host redirects).</summary>
        public async Task<ZulipServerSettings> GetServerSettingsAsync(Uri server, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/server_settings")) { FollowSameHostRedirects = true };
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
            var request = new ZulipRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/fetch_api_key"))
            {
                FormBody = new FormBody().Add("username", username).AddSecret("password", password).ToArrayAndClear(),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadApiKey(ZulipEndpoint.FetchApiKey, server, response);
        }

        /// <summary>POST /api/v1/dev_fetch_api_key, which only a Zulip development environment has.</summary>
        public async Task<FetchedApiKey> DevFetchApiKeyAsync(Uri server, string email, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Post, ServerAddress.Endpoint(server, "api/v1/dev_fetch_api_key"))
            {
                FormBody = new FormBody().Add("username", email).ToArrayAndClear(),
            };
            var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReadApiKey(ZulipEndpoint.DevFetchApiKey, server, response);
        }

        /// <summary>GET /api/v1/users/me with HTTP Basic email:key: the cheapest call that proves a key works.</summary>
        public async Task<OwnUser> GetOwnUserAsync(Uri server, string email, SecureString apiKey, CancellationToken cancellationToken)
        {
            var request = new ZulipRequest(HttpMethod.Get, ServerAddress.Endpoint(server, "api/v1/users/me"))
            {
                Authorization = BasicAuthorization(email, apiKey),
            };
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
