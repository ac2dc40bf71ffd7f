using System;
using System.Net;
using System.Net.Http;

namespace ZulipAuth.Client
{
    /// <summary>
    /// A pooled client that knows how it reaches the network: its options (which also decide whose settings it
    /// may trust) and the proxy its handler uses, so the transport can tell whether a request goes direct and
    /// a refusal by a proxy can name it.
    /// </summary>
    internal sealed class PooledHttpClient : HttpClient
    {
        private readonly IWebProxy? systemProxy;

        public PooledHttpClient(HttpMessageHandler handler, TransportOptions options, IWebProxy? proxy)
            : base(handler, disposeHandler: true)
        {
            Options = options;
            systemProxy = proxy;
        }

        public TransportOptions Options { get; }

        /// <summary>How a request to <paramref name="target"/> travels, as this client's handler decides it.</summary>
        public ProxyRoute RouteTo(Uri target)
        {
            switch (Options.ProxyMode)
            {
                case ProxyMode.None:
                    return ProxyRoute.Direct;
                case ProxyMode.Explicit:
                    return ProxyRoute.Resolve(systemProxy, target);
                default:
                    // On .NET the handler holds the DefaultProxy it was built with (the pool's key); on .NET Framework
                    // it asks WebRequest.DefaultWebProxy on every request, so ask it now too.
                    return ProxyRoute.Resolve(SystemProxy.DefaultProxyProperty != null ? systemProxy : WebRequest.DefaultWebProxy, target);
            }
        }
    }
}
