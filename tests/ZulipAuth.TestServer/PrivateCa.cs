using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZulipAuth.TestServer;

/// <summary>
/// A certificate authority made for one test, as a self-hosted organization's private CA: it issues server
/// certificates for chosen names and client certificates, and writes PEM files as openssl would.
/// ECDSA keys, because RSA key generation is the slow part of making certificates.
/// </summary>
public sealed class PrivateCa : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa key;

    public PrivateCa(string name)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
    }

    /// <summary>The CA's own certificate (with its key, which stays in this object).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM: what goes into a bundle.</summary>
    public string Pem => Certificate.ExportCertificatePem();

    /// <summary>A TLS server certificate for <paramref name="names"/> (DNS names or IP addresses), loaded from PKCS#12 so Kestrel can serve it.</summary>
    public X509Certificate2 IssueServer(params string[] names) =>
        Issue($"CN={names[0]}", ServerAuthentication, names, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));

    /// <summary>A server certificate that expired yesterday.</summary>
    public X509Certificate2 IssueExpiredServer(params string[] names) =>
        Issue($"CN={names[0]}", ServerAuthentication, names, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>A TLS client certificate with its private key.</summary>
    public X509Certificate2 IssueClient(string name) =>
        Issue($"CN={name}", ClientAuthentication, [], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));

    /// <summary>Writes the certificate and its unencrypted PKCS#8 key as two PEM files, as client_cert and client_cert_key name them.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string folder, string name)
    {
        var certificatePath = Path.Combine(folder, name + ".crt");
        var keyPath = Path.Combine(folder, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var privateKey = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyPath, privateKey.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }

    private X509Certificate2 Issue(string subject, Oid usage, string[] names, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, leafKey, HashAlgorithmName.SHA256);
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var address))
                    san.AddIpAddress(address);
                else
                    san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build(false));
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(Certificate, notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(leafKey);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
