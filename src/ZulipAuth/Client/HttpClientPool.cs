using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Reflection;
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
        private static readonly ConcurrentDictionary<PoolKey, Lazy<PooledHttpClient>> Clients =
            new ConcurrentDictionary<PoolKey, Lazy<PooledHttpClient>>();

        // PowerShell 7 (.NET) has HttpClient.DefaultProxy, which users set to choose a proxy for the session and
        // which a handler reads only once. Windows PowerShell (.NET Framework) has no such property: there
        // HttpWebRequest reads WebRequest.DefaultWebProxy on every request by itself.
        internal static readonly PropertyInfo? DefaultProxyProperty = typeof(HttpClient).GetProperty("DefaultProxy", BindingFlags.Public | BindingFlags.Static);

        /// <summary>How many clients exist (one per transport configuration used so far).</summary>
        public static int Count => Clients.Count;

        public static HttpClient Get(TransportOptions options)
        {
            // A new default proxy gets a new client, so [System.Net.Http.HttpClient]::DefaultProxy set after the
            // module's first call is honoured, as it is by Invoke-RestMethod.
            var key = new PoolKey(options, options.ProxyMode == ProxyMode.System ? DefaultProxyProperty?.GetValue(null) as IWebProxy : null);
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
            return new PooledHttpClient(handler, proxy) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
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

    /// <summary>A pooled client that knows which proxy it goes through, so a refusal by the proxy can name it.</summary>
    internal sealed class PooledHttpClient : HttpClient
    {
        private readonly IWebProxy? proxy;

        public PooledHttpClient(HttpMessageHandler handler, IWebProxy? proxy)
            : base(handler, disposeHandler: true)
        {
            this.proxy = proxy;
        }

        /// <summary>The proxy a request to <paramref name="target"/> goes through, or null (none, or not known).</summary>
        public Uri? ProxyFor(Uri target)
        {
            try
            {
                var resolver = proxy ?? (HttpClientPool.DefaultProxyProperty == null ? WebRequest.DefaultWebProxy : null);
                return resolver == null || resolver.IsBypassed(target) ? null : resolver.GetProxy(target);
            }
            catch (Exception e) when (e is InvalidOperationException || e is WebException || e is PlatformNotSupportedException)
            {
                // Resolving a PAC script can fail; the error message then says "the proxy" without a name.
                return null;
            }
        }
    }

    /// <summary>
    /// The proxy the user named with -Proxy, for every destination. .NET's WebProxy would skip it for loopback
    /// addresses (always on .NET Framework), so a user's explicit choice would be silently ignored there; and
    /// its UseDefaultCredentials setter clears Credentials, which an object initializer easily trips over.
    /// </summary>
    internal sealed class ExplicitProxy : IWebProxy
    {
        private readonly Uri address;

        public ExplicitProxy(Uri address, ICredentials? credentials)
        {
            this.address = address;
            Credentials = credentials;
        }

        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => address;

        public bool IsBypassed(Uri host) => false;
    }
}
