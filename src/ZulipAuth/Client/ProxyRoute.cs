using System;
using System.Net;

namespace ZulipAuth.Client
{
    /// <summary>Whether a request to a URL goes straight to it or through a proxy, asked of the very IWebProxy the handler uses.</summary>
    internal readonly struct ProxyRoute
    {
        private ProxyRoute(bool direct, Uri? proxy)
        {
            IsDirect = direct;
            Proxy = proxy;
        }

        /// <summary>True only when the request is known to go straight to the server; false when unknown.</summary>
        public bool IsDirect { get; }

        /// <summary>The proxy's address when one is known to be used.</summary>
        public Uri? Proxy { get; }

        public static readonly ProxyRoute Direct = new ProxyRoute(true, null);

        /// <summary>Asks <paramref name="resolver"/> (null: none) about <paramref name="target"/>.</summary>
        public static ProxyRoute Resolve(IWebProxy? resolver, Uri target)
        {
            if (resolver == null)
            {
                return Direct;
            }

            try
            {
                if (resolver.IsBypassed(target))
                {
                    return Direct;
                }

                var proxy = resolver.GetProxy(target);

                // A resolver may answer "not bypassed" and then give the target itself (or nothing): that is direct.
                return proxy == null || proxy == target ? Direct : new ProxyRoute(false, proxy);
            }
            catch (Exception e) when (e is InvalidOperationException || e is WebException || e is PlatformNotSupportedException || e is UriFormatException)
            {
                // A PAC script can fail to run: the route is unknown, which is never "direct".
                return new ProxyRoute(false, null);
            }
        }
    }
}
