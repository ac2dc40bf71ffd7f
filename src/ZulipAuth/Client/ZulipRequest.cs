using System;
using System.Net.Http;
using System.Net.Http.Headers;

namespace ZulipAuth.Client
{
    /// <summary>
    /// What one request is: method, URL, optional form body and Authorization, and the rules the transport
    /// enforces for it. A request is taken to carry a secret (in the request or in its answer) unless it says
    /// otherwise, so a new endpoint gets the encryption rule and the strictest retry rule by construction.
    /// </summary>
    internal sealed class ZulipRequest
    {
        public ZulipRequest(HttpMethod method, Uri uri)
        {
            Method = method;
            Uri = uri;
        }

        public HttpMethod Method { get; }

        public Uri Uri { get; }

        /// <summary>The form body; zeroed by the transport once sent (it may hold a password).</summary>
        public byte[]? FormBody { get; set; }

        public AuthenticationHeaderValue? Authorization { get; set; }

        /// <summary>The secrets this request carries, masked in every failure it ends in (see ZulipClient.SendAsync).</summary>
        public RequestSecrets Secrets { get; set; } = RequestSecrets.None;

        /// <summary>
        /// What secret the request or its answer holds, named for messages ("the password and the key"); null
        /// when neither holds one (only the unauthenticated settings read). An Authorization header always counts.
        /// </summary>
        public string? Secret { get; set; } = "the credentials";

        /// <summary>True when the user opted in to sending <see cref="Secret"/> over plain http (-AllowUnencryptedAuthentication).</summary>
        public bool AllowUnencrypted { get; set; }

        /// <summary>When a failure of this request may be retried; the strictest unless the endpoint says otherwise.</summary>
        public RetrySafety RetrySafety { get; set; } = RetrySafety.WhenCertainlyNotSent;

        /// <summary>Only for requests without a secret: follow redirects that stay on the same host (http to https included).</summary>
        public bool FollowSameHostRedirects { get; set; }

        public bool CarriesSecret => Secret != null || Authorization != null;

        /// <summary>The secret's name for a message, never empty.</summary>
        public string SecretName => Secret ?? "the credentials";
    }
}
