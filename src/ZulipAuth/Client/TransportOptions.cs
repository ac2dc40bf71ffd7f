using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Everything that shapes a connection (and so needs its own HttpClientHandler). Two equal options share
    /// one pooled HttpClient; timeouts and retries are per request and deliberately not part of it.
    /// </summary>
    internal sealed class TransportOptions : IEquatable<TransportOptions>
    {
        public static readonly TransportOptions Default = new TransportOptions();

        public bool SkipCertificateCheck { get; init; }

        public ProxyMode ProxyMode { get; init; } = ProxyMode.System;

        public Uri? Proxy { get; init; }

        public NetworkCredential? ProxyCredential { get; init; }

        public bool ProxyUseDefaultCredentials { get; init; }

        /// <summary>The CA certificates that alone are trusted for the server (-CertificateBundle, cert_bundle); null for the system's.</summary>
        public X509Certificate2Collection? TrustedCertificates { get; init; }

        /// <summary>Where <see cref="TrustedCertificates"/> were read, for messages.</summary>
        public string? CertificateBundle { get; init; }

        /// <summary>The client certificate, with its private key, offered to servers that ask for one.</summary>
        public X509Certificate2? ClientCertificate { get; init; }

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

        // By content, not by path or object: an edited bundle gets a new handler, two reads of one file share one.
        private string TrustFingerprint =>
            TrustedCertificates == null ? "system" : "bundle:" + string.Join(",", TrustedCertificates.Cast<X509Certificate2>().Select(CertificateFiles.Fingerprint).OrderBy(f => f, StringComparer.Ordinal));

        private string ClientFingerprint => ClientCertificate == null ? "no client certificate" : "client:" + CertificateFiles.Fingerprint(ClientCertificate);

        private string? key;

        // Computed once (init-only properties are all set by the time anyone compares), as it hashes every certificate.
        private string Key => key ??= string.Join("|", SkipCertificateCheck, ProxyMode, Proxy?.AbsoluteUri, ProxyUseDefaultCredentials, CredentialFingerprint, TrustFingerprint, ClientFingerprint);

        /// <summary>
        /// What decides whether an answer can be trusted: certificate checking (and against which CAs), the client
        /// certificate (a server may answer differently to it) and the path to the server. Settings read under one
        /// trust key never serve a call under another.
        /// </summary>
        internal string TrustKey => string.Join("|", SkipCertificateCheck ? "unverified" : "verified", TrustFingerprint, ClientFingerprint, ProxyMode, Proxy?.AbsoluteUri);

        public bool Equals(TransportOptions? other) => other != null && Key == other.Key;

        public override bool Equals(object? obj) => Equals(obj as TransportOptions);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);
    }
}
