using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Threading;

namespace ZulipAuth.Client
{
    /// <summary>
    /// One HttpClient per distinct <see cref="TransportOptions"/>, created on first use and kept for the life of
    /// the process, so connections (and TLS sessions) are reused across calls and runspaces. HttpClient is
    /// safe for concurrent requests; nothing here is mutated after creation.
    /// </summary>
    public static class HttpClientPool
    {
        private static readonly ConcurrentDictionary<TransportOptions, Lazy<HttpClient>> Clients =
            new ConcurrentDictionary<TransportOptions, Lazy<HttpClient>>();

        /// <summary>How many clients exist (one per transport configuration used so far).</summary>
        public static int Count => Clients.Count;

        public static HttpClient Get(TransportOptions options) =>
            Clients.GetOrAdd(options, o => new Lazy<HttpClient>(() => Create(o), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        private static HttpClient Create(TransportOptions options)
        {
            var handler = new HttpClientHandler
            {
                // A redirect must never carry a password to a new URL (and a followed 301 turns the POST into a
                // GET): the client follows same-host redirects itself, and only for unauthenticated GETs.
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };

            if (options.SkipCertificateCheck)
            {
                // Per handler, never ServicePointManager: other modules in the session keep full validation.
                handler.ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => true;
            }

            switch (options.ProxyMode)
            {
                case ProxyMode.None:
                    handler.UseProxy = false;
                    break;
                case ProxyMode.Explicit:
                    handler.UseProxy = true;
                    // Credentials alone: WebProxy.UseDefaultCredentials is a shorthand whose setter overwrites
                    // Credentials (false sets them to null), which silently dropped -ProxyCredential.
                    handler.Proxy = new WebProxy(options.Proxy!)
                    {
                        Credentials = options.ProxyUseDefaultCredentials ? CredentialCache.DefaultCredentials : options.ProxyCredential,
                    };
                    break;
                default:
                    // The system proxy (on Linux and macOS: HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
                    handler.UseProxy = true;
                    if (options.ProxyUseDefaultCredentials)
                    {
                        handler.DefaultProxyCredentials = CredentialCache.DefaultCredentials;
                    }

                    break;
            }

            // Timeouts are per request (a linked CancellationToken), so one client serves every -TimeoutSec.
            return new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }
    }
}
