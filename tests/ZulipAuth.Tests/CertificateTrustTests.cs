using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Xunit;
using ZulipAuth.Client;
using ZulipAuth.TestServer;

namespace ZulipAuth.Tests;

/// <summary>
/// The CA bundle and client certificate: how they are read, how a server certificate is judged against a
/// bundle that replaces the system's CAs, and how they key the pool and the settings cache.
/// </summary>
public sealed class CertificateTrustTests : IDisposable
{
    private readonly PrivateCa ca = new("Unit Test CA");
    private readonly PrivateCa otherCa = new("Unit Test Other CA");
    private readonly string folder = Directory.CreateTempSubdirectory("zulipauth-unit-").FullName;

    public void Dispose()
    {
        ca.Dispose();
        otherCa.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private X509Certificate2Collection BundleOf(params PrivateCa[] cas) => CertificateFiles.LoadBundle(Write(Guid.NewGuid().ToString("N"), string.Concat(cas.Select(c => c.Pem + "\n"))));

    [Fact]
    public void ABundleReadsEveryCertificateAndSkipsTextAroundThem()
    {
        var path = Write("bundle.pem", "# Private CAs\n" + ca.Pem + "\nsome comment\n" + otherCa.Pem + "\n");

        var bundle = CertificateFiles.LoadBundle(path);

        Assert.Equal(new[] { ca.Certificate.Thumbprint, otherCa.Certificate.Thumbprint }, bundle.Cast<X509Certificate2>().Select(c => c.Thumbprint));
    }

    [Theory]
    [InlineData("no certificate at all\n", "no PEM certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n", "no END CERTIFICATE")]
    [InlineData("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n", "certificate 1")]
    public void ABundleWithoutUsableCertificatesIsCertificateUnusable(string text, string says)
    {
        var path = Write("bad.pem", text);

        var e = Assert.Throws<ZulipApiException>(() => CertificateFiles.LoadBundle(path));

        Assert.Equal(ZulipErrorId.CertificateUnusable, e.ErrorId);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(e.Hint));
    }

    [Fact]
    public void AMissingBundleOrAFolderIsInvalidPath()
    {
        Assert.Equal(ZulipErrorId.InvalidPath, Assert.Throws<ZulipApiException>(() => CertificateFiles.LoadBundle(Path.Combine(folder, "none.pem"))).ErrorId);
        Assert.Equal(ZulipErrorId.InvalidPath, Assert.Throws<ZulipApiException>(() => CertificateFiles.LoadBundle(folder)).ErrorId);
    }

    [Fact]
    public void ABundleLargerThanTheLimitIsRefusedWithoutReadingItAll()
    {
        var path = Path.Combine(folder, "huge.pem");
        using (var file = File.Create(path))
        {
            file.SetLength(CertificateFiles.MaximumFileBytes + 1);
        }

        var e = Assert.Throws<ZulipApiException>(() => CertificateFiles.LoadBundle(path));

        Assert.Equal(ZulipErrorId.CertificateUnusable, e.ErrorId);
        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACertificateIssuedByABundledCaForTheNameIsTrusted()
    {
        using var leaf = ca.IssueServer("127.0.0.1");

        Assert.True(ServerCertificateValidator.IsTrusted(leaf, SslPolicyErrors.RemoteCertificateChainErrors, BundleOf(otherCa, ca)));
    }

    [Fact]
    public void ACertificateOfAnotherCaIsNotTrusted()
    {
        using var leaf = ca.IssueServer("127.0.0.1");

        Assert.False(ServerCertificateValidator.IsTrusted(leaf, SslPolicyErrors.RemoteCertificateChainErrors, BundleOf(otherCa)));
    }

    [Fact]
    public void ANameMismatchIsNeverExcusedByTheBundle()
    {
        using var leaf = ca.IssueServer("127.0.0.1");

        Assert.False(ServerCertificateValidator.IsTrusted(leaf, SslPolicyErrors.RemoteCertificateNameMismatch, BundleOf(ca)));
        Assert.False(ServerCertificateValidator.IsTrusted(null, SslPolicyErrors.RemoteCertificateNotAvailable, BundleOf(ca)));
    }

    [Fact]
    public void AnExpiredCertificateOfABundledCaIsNotTrusted()
    {
        using var leaf = ca.IssueExpiredServer("127.0.0.1");

        Assert.False(ServerCertificateValidator.IsTrusted(leaf, SslPolicyErrors.RemoteCertificateChainErrors, BundleOf(ca)));
    }

    [Fact]
    public void APemClientCertificateWithASeparateKeyFileLoadsWithItsKey()
    {
        using var client = ca.IssueClient("iago");
        var (certificate, key) = PrivateCa.WritePem(client, folder, "iago");

        using var loaded = CertificateFiles.LoadClientCertificate(certificate, key);

        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(client.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void AClientCertificateWithAnotherCertificatesKeyIsCertificateUnusable()
    {
        using var client = ca.IssueClient("iago");
        using var other = ca.IssueClient("hamlet");
        var (certificate, _) = PrivateCa.WritePem(client, folder, "iago");
        var (_, otherKey) = PrivateCa.WritePem(other, folder, "hamlet");

        Assert.Equal(ZulipErrorId.CertificateUnusable, Assert.Throws<ZulipApiException>(() => CertificateFiles.LoadClientCertificate(certificate, otherKey)).ErrorId);
    }

    [Fact]
    public void WithoutAPemReaderAPemKeyIsClientCertificateKeyUnsupportedNamingPowerShell7()
    {
        using var client = ca.IssueClient("iago");
        var (certificate, key) = PrivateCa.WritePem(client, folder, "iago");
        var reader = CertificateFiles.CreateFromPemFile;
        CertificateFiles.CreateFromPemFile = null;
        try
        {
            var e = Assert.Throws<ZulipApiException>(() => CertificateFiles.LoadClientCertificate(certificate, key));

            Assert.Equal(ZulipErrorId.ClientCertificateKeyUnsupported, e.ErrorId);
            Assert.Contains(key, e.Message, StringComparison.Ordinal);
            Assert.Contains("PowerShell 7", e.Hint, StringComparison.Ordinal);
            Assert.Contains("Get-PfxCertificate", e.Hint, StringComparison.Ordinal);
        }
        finally
        {
            CertificateFiles.CreateFromPemFile = reader;
        }
    }

    [Fact]
    public void APkcs12ClientCertificateWithoutAPasswordLoads()
    {
        using var client = ca.IssueClient("iago");
        var path = Path.Combine(folder, "iago.pfx");
        File.WriteAllBytes(path, client.Export(X509ContentType.Pkcs12));

        using var loaded = CertificateFiles.LoadClientCertificate(path, null);

        Assert.True(loaded.HasPrivateKey);
    }

    [Fact]
    public void TwoReadsOfOneBundleShareAPooledClientAndAnotherBundleDoesNot()
    {
        var first = new TransportOptions { TrustedCertificates = BundleOf(ca), CertificateBundle = "a.pem" };
        var again = new TransportOptions { TrustedCertificates = BundleOf(ca), CertificateBundle = "copy-of-a.pem" };
        var other = new TransportOptions { TrustedCertificates = BundleOf(otherCa) };

        Assert.Equal(first, again);
        Assert.Same(HttpClientPool.Get(first), HttpClientPool.Get(again));
        Assert.NotSame(HttpClientPool.Get(first), HttpClientPool.Get(other));
        Assert.NotSame(HttpClientPool.Get(first), HttpClientPool.Get(new TransportOptions()));
    }

    [Fact]
    public void EachClientCertificateGetsItsOwnPooledClient()
    {
        using var iago = ca.IssueClient("iago");
        using var hamlet = ca.IssueClient("hamlet");

        var none = HttpClientPool.Get(new TransportOptions());
        var withIago = HttpClientPool.Get(new TransportOptions { ClientCertificate = iago });

        Assert.NotSame(none, withIago);
        Assert.Same(withIago, HttpClientPool.Get(new TransportOptions { ClientCertificate = new X509Certificate2(iago) }));
        Assert.NotSame(withIago, HttpClientPool.Get(new TransportOptions { ClientCertificate = hamlet }));
    }

    [Fact]
    public void SettingsReadUnderOneBundleOrClientCertificateNeverServeAnotherTrust()
    {
        using var iago = ca.IssueClient("iago");
        var keys = new[]
        {
            new TransportOptions().TrustKey,
            new TransportOptions { TrustedCertificates = BundleOf(ca) }.TrustKey,
            new TransportOptions { TrustedCertificates = BundleOf(otherCa) }.TrustKey,
            new TransportOptions { ClientCertificate = iago }.TrustKey,
            new TransportOptions { SkipCertificateCheck = true }.TrustKey,
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(new TransportOptions { TrustedCertificates = BundleOf(ca) }.TrustKey, keys[1]);
    }
}
