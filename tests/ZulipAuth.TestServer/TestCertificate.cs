using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZulipAuth.TestServer;

/// <summary>
/// The self-signed HTTPS certificate (CN=localhost, SAN DNS:localhost and IP:127.0.0.1). Made once per
/// process, because RSA key generation is the slowest part of starting a server.
/// </summary>
public static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The certificate with its private key (do not dispose it; it is shared).</summary>
    public static X509Certificate2 Instance => Shared.Value;

    /// <summary>The public certificate as PEM, for a client's custom CA bundle.</summary>
    public static string Pem => Instance.ExportCertificatePem();

    private static X509Certificate2 Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build(critical: false));

        // CA:true so the certificate can be its own trust anchor in a custom bundle (OpenSSL refuses a
        // non-CA certificate as an issuer); it is still a usable TLS server certificate.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign,
            critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        // Round-trip through PKCS#12: on Linux, Kestrel's TLS (OpenSSL) needs a certificate whose private key
        // came from a loaded PFX rather than the ephemeral key handle CreateSelfSigned returns.
        var pfx = ephemeral.Export(X509ContentType.Pkcs12, (string?)null);
        return X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);
    }
}
