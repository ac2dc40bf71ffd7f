using System;
using System.Net;
using System.Net.Http;
using System.Reflection;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The proxy the runtime uses for a handler that is told to use a proxy but given none. PowerShell 7 (.NET)
    /// has HttpClient.DefaultProxy, which users set to choose a proxy for the session and which a handler reads
    /// only once. Windows PowerShell (.NET Framework) has no such property: there HttpWebRequest reads
    /// WebRequest.DefaultWebProxy on every request by itself.
    /// </summary>
    internal static class SystemProxy
    {
        internal static readonly PropertyInfo? DefaultProxyProperty = typeof(HttpClient).GetProperty("DefaultProxy", BindingFlags.Public | BindingFlags.Static);

        /// <summary>The HttpClient.DefaultProxy object on .NET (the pool's key for the system-proxy client), else null.</summary>
        public static IWebProxy? DefaultProxyObject => DefaultProxyProperty?.GetValue(null) as IWebProxy;

        /// <summary>What a request made now would go through.</summary>
        public static IWebProxy? Current => DefaultProxyProperty != null ? DefaultProxyObject : WebRequest.DefaultWebProxy;
    }
}
