using System;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Everything that shapes a connection (and so needs its own HttpClientHandler). Two equal options share
    /// one pooled HttpClient; timeouts and retries are per request and deliberately not part of it.
    /// </summary>
    public sealed class TransportOptions : IEquatable<TransportOptions>
    {
        public static readonly TransportOptions Default = new TransportOptions();

        public bool SkipCertificateCheck { get; init; }

        public ProxyMode ProxyMode { get; init; } = ProxyMode.System;

        public Uri? Proxy { get; init; }

        public NetworkCredential? ProxyCredential { get; init; }

        public bool ProxyUseDefaultCredentials { get; init; }

        // The pool is keyed on the proxy password too (a new password needs a new handler), but only through a
        // hash, so the key itself holds nothing worth stealing.
        private string CredentialFingerprint
        {
            get
            {
                if (ProxyCredential == null)
                {
                    return string.Empty;
                }

                using var sha = SHA256.Create();
                var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(ProxyCredential.Domain + "\\" + ProxyCredential.UserName + "\0" + ProxyCredential.Password));
                return Convert.ToBase64String(bytes);
            }
        }

        private string Key => string.Join("|", SkipCertificateCheck, ProxyMode, Proxy?.AbsoluteUri, ProxyUseDefaultCredentials, CredentialFingerprint);

        /// <summary>
        /// What decides whether an answer can be trusted: certificate checking and the path to the server. Settings
        /// read under one trust key never serve a call under another.
        /// </summary>
        internal string TrustKey => string.Join("|", SkipCertificateCheck ? "unverified" : "verified", ProxyMode, Proxy?.AbsoluteUri);

        public bool Equals(TransportOptions? other) => other != null && Key == other.Key;

        public override bool Equals(object? obj) => Equals(obj as TransportOptions);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);
    }
}
