using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Server certificate validation against a CA bundle that REPLACES the system's CAs for the call, as
    /// python-zulip-api's cert_bundle does (it passes the bundle as requests' verify=). Portable to .NET
    /// Framework: the chain is built with the bundle as an extra store and accepted only when a certificate of
    /// the bundle anchors it and nothing else is wrong with it; the handler's own name check still applies.
    /// </summary>
    internal static class ServerCertificateValidator
    {
        // Only "the root is not one the system trusts" (and the partial chain it implies on some platforms) is
        // forgiven, because the bundle is the trust anchor instead; an expired, misused or badly signed
        // certificate still fails.
        private const X509ChainStatusFlags Forgiven = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain |
            X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

        public static bool IsTrusted(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection bundle)
        {
            if (presented == null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            using var leaf = new X509Certificate2(presented);
            using var chain = new X509Chain();
            // Private CAs rarely publish revocation lists, and Python's requests does not check them either.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.ExtraStore.AddRange(bundle);
            chain.Build(leaf);

            var anchored = false;
            foreach (var element in chain.ChainElements)
            {
                if (element.ChainElementStatus.Any(s => (s.Status & ~Forgiven) != X509ChainStatusFlags.NoError))
                {
                    return false;
                }

                if (bundle.Cast<X509Certificate2>().Any(trusted => trusted.RawData.SequenceEqual(element.Certificate.RawData)))
                {
                    // Everything from the leaf up to here is valid and this certificate is trusted: what lies beyond
                    // (a system root the bundle does not hold) does not matter.
                    anchored = true;
                    break;
                }
            }

            return anchored;
        }
    }
}
