using System;
using System.Net;

namespace ZulipAuth.Client
{
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
