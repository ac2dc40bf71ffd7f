using System;
using System.Security;

namespace ZulipAuth.Client
{
    /// <summary>A successful fetch_api_key answer, with the key already in a SecureString.</summary>
    internal sealed class FetchedApiKey
    {
        public FetchedApiKey(Uri server, string email, SecureString apiKey, int? userId, string[] ignoredParameters)
        {
            Server = server;
            Email = email;
            ApiKey = apiKey;
            UserId = userId;
            IgnoredParameters = ignoredParameters;
        }

        public Uri Server { get; }

        public string Email { get; }

        public SecureString ApiKey { get; }

        public int? UserId { get; set; }

        /// <summary>Names the server listed in <c>ignored_parameters_unsupported</c> (feature level 167+).</summary>
        public string[] IgnoredParameters { get; }
    }
}
