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
    internal static class HttpClientPool
    {
        private static readonly ConcurrentDictionary<PoolKey, Lazy<PooledHttpClient>> Clients =
            new ConcurrentDictionary<PoolKey, Lazy<PooledHttpClient>>();

        /// <summary>How many clients exist (one per transport configuration used so far).</summary>
        public static int Count => Clients.Count;

        public static HttpClient Get(TransportOptions options)
        {
            // A new default proxy gets a new client, so [System.Net.Http.HttpClient]::DefaultProxy set after the
            // module's first call is honoured, as it is by Invoke-RestMethod.
            var key = new PoolKey(options, options.ProxyMode == ProxyMode.System ? SystemProxy.DefaultProxyObject : null);
            return Clients.GetOrAdd(key, k => new Lazy<PooledHttpClient>(() => Create(k.Options, k.SystemProxy), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        }

        private static PooledHttpClient Create(TransportOptions options, IWebProxy? systemProxy)
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
            else if (options.TrustedCertificates != null)
            {
                var bundle = options.TrustedCertificates;
                handler.ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => ServerCertificateValidator.IsTrusted(certificate, errors, bundle);
            }

            if (options.ClientCertificate != null)
            {
                handler.ClientCertificateOptions = ClientCertificateOption.Manual;
                handler.ClientCertificates.Add(options.ClientCertificate);
            }

            IWebProxy? proxy = null;
            switch (options.ProxyMode)
            {
                case ProxyMode.None:
                    handler.UseProxy = false;
                    break;
                case ProxyMode.Explicit:
                    proxy = new ExplicitProxy(options.Proxy!, options.ProxyUseDefaultCredentials ? CredentialCache.DefaultCredentials : options.ProxyCredential);
                    handler.UseProxy = true;
                    handler.Proxy = proxy;
                    break;
                default:
                    // The system proxy (on Linux and macOS: HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as the handler
                    // resolves it; named here only to say which proxy refused a login.
                    proxy = systemProxy;
                    handler.UseProxy = true;
                    if (options.ProxyUseDefaultCredentials)
                    {
                        handler.DefaultProxyCredentials = CredentialCache.DefaultCredentials;
                    }

                    break;
            }

            // Timeouts are per request (a linked CancellationToken), so one client serves every -TimeoutSec.
            return new PooledHttpClient(handler, options, proxy) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        private readonly struct PoolKey : IEquatable<PoolKey>
        {
            public PoolKey(TransportOptions options, IWebProxy? systemProxy)
            {
                Options = options;
                SystemProxy = systemProxy;
            }

            public TransportOptions Options { get; }

            public IWebProxy? SystemProxy { get; }

            public bool Equals(PoolKey other) => Options.Equals(other.Options) && ReferenceEquals(SystemProxy, other.SystemProxy);

            public override bool Equals(object? obj) => obj is PoolKey other && Equals(other);

            public override int GetHashCode() => Options.GetHashCode();
        }
    }
}
