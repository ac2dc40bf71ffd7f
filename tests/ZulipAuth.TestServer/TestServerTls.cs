using System.Security.Cryptography.X509Certificates;

namespace ZulipAuth.TestServer;

/// <summary>
/// HTTPS other than the shared self-signed certificate: a certificate issued by a test's own CA, and optionally
/// a CA whose client certificates the server requires (the handshake fails without one).
/// </summary>
/// <param name="ServerCertificate">Served on HTTPS, with its private key (loaded from PKCS#12: see <see cref="TestCertificate"/>).</param>
/// <param name="ClientCertificateAuthority">When set, a client certificate issued by it is required.</param>
public sealed record TestServerTls(X509Certificate2 ServerCertificate, X509Certificate2? ClientCertificateAuthority = null)
{
    /// <summary>Whether <paramref name="client"/> was issued by <see cref="ClientCertificateAuthority"/> (and by nothing else).</summary>
    public bool Accepts(X509Certificate2? client)
    {
        if (client is null || ClientCertificateAuthority is null)
            return false;

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ClientCertificateAuthority);
        return chain.Build(client);
    }
}
