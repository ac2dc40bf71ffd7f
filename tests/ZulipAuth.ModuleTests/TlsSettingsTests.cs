using System.Collections;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A self-hosted server with a private CA, and one that requires client certificates: -CertificateBundle,
/// -Certificate and -CertificateThumbprint, and the same settings travelling on a key from a zuliprc.
/// </summary>
public class TlsSettingsTests : ModuleTestBase
{
    private readonly TempDirectory dir = new();
    private readonly PrivateCa ca = new("ZulipAuth Test CA");
    private readonly PrivateCa otherCa = new("Some Other CA");
    private readonly List<ZulipTestServer> servers = new();

    public override async Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        ca.Dispose();
        otherCa.Dispose();
        dir.Dispose();
        await base.DisposeAsync();
    }

    private async Task<string> StartWith(TestServerTls tls)
    {
        var server = await ZulipTestServer.StartAsync(tls: tls);
        servers.Add(server);
        return server.HttpsUrl;
    }

    private Task<string> StartIssuedBy(PrivateCa issuer, params string[] names) => StartWith(new TestServerTls(issuer.IssueServer(names)));

    private string Bundle(string name, params PrivateCa[] cas)
    {
        var path = dir.File(name);
        File.WriteAllText(path, string.Concat(cas.Select(c => c.Pem + "\n")));
        return path;
    }

    private string Rc(string site, string extra)
    {
        var path = dir.File("zuliprc-" + Guid.NewGuid().ToString("N"));
        FileSystemProbe.WriteRc(path, $"[api]\nemail={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={site}\n{extra}");
        return path;
    }

    private PsResult TestKeyFrom(string rc, string extra = "") => Session.Run($"Import-ZulipRc -Path $args[0] | Test-ZulipApiKey {extra}", rc);

    private PsResult Settings(string server, string extra = "", object? argument = null) =>
        Session.Run($"Get-ZulipServerSettings -Server $args[0] {extra}", server, argument);

    private static void AssertTrue(PsResult result)
    {
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.True(Assert.IsType<bool>(Assert.Single(result.Output).BaseObject));
    }

    [Fact]
    public async Task CertificateBundleTrustsThePrivateCaForTheCall()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");
        var untrusted = Settings(server).SingleError();
        AssertError(untrusted, "ZulipCertificateError", ErrorCategory.SecurityError);
        Assert.Contains("-CertificateBundle", untrusted.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);

        var result = Settings(server, "-CertificateBundle $args[1]", Bundle("ca.pem", ca));

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(new Uri(server + "/"), Assert.Single(result.Output).Properties["Server"].Value);
    }

    [Fact]
    public async Task ABundleOfOtherCasReplacesTheSystemStoreAndFailsNamingTheBundle()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");
        var bundle = Bundle("other.pem", otherCa);

        var error = Settings(server, "-CertificateBundle $args[1]", bundle).SingleError();

        AssertError(error, "ZulipCertificateError", ErrorCategory.SecurityError);
        Assert.Contains(bundle, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("replaces the system's CAs", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABundleOfSeveralCasTrustsEachOfThem()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");

        var result = Settings(server, "-CertificateBundle $args[1]", Bundle("both.pem", otherCa, ca));

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
    }

    [Fact]
    public async Task TheRightCaDoesNotExcuseACertificateForAnotherName()
    {
        var server = await StartIssuedBy(ca, "zulip.example.invalid");

        var error = Settings(server, "-CertificateBundle $args[1]", Bundle("ca.pem", ca)).SingleError();

        AssertError(error, "ZulipCertificateError", ErrorCategory.SecurityError);
    }

    [Fact]
    public async Task TheRightCaDoesNotExcuseAnExpiredCertificate()
    {
        var server = await StartWith(new TestServerTls(ca.IssueExpiredServer("127.0.0.1")));

        AssertError(Settings(server, "-CertificateBundle $args[1]", Bundle("ca.pem", ca)).SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
    }

    [Fact]
    public async Task AZuliprcWithCertBundlePipedIntoTestZulipApiKeyUsesIt()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");

        AssertTrue(TestKeyFrom(Rc(server, $"cert_bundle={Bundle("ca.pem", ca)}\n")));
        AssertError(TestKeyFrom(Rc(server, string.Empty)).SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
    }

    [Fact]
    public async Task AZuliprcWithInsecureTrueSkipsTheCheckWithAWarning()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");

        var result = TestKeyFrom(Rc(server, "insecure=true\n"));

        AssertTrue(result);
        Assert.Contains(result.Warnings, w => w.Contains("insecure=true", StringComparison.Ordinal) && w.Contains("not checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UncheckedKeysAreWarnedAboutOncePerServer()
    {
        var first = await StartIssuedBy(ca, "127.0.0.1");
        var second = await StartIssuedBy(ca, "127.0.0.1");

        var result = Session.Run("$args | Import-ZulipRc -WarningAction SilentlyContinue | Test-ZulipApiKey", Rc(first, "insecure=true\n"), Rc(first, "insecure=true\n"), Rc(second, "insecure=true\n"));

        Assert.Equal(new object[] { true, true, true }, result.Output.Select(o => o.BaseObject));
        var warnings = result.Warnings.Where(w => w.Contains("not checked", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(first, warnings[0], StringComparison.Ordinal);
        Assert.Contains(second, warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExplicitBundleWinsOverTheKeys()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");
        var rc = Rc(server, $"cert_bundle={Bundle("other.pem", otherCa)}\n");

        AssertError(TestKeyFrom(rc).SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
        AssertTrue(Session.Run("Import-ZulipRc -Path $args[0] | Test-ZulipApiKey -CertificateBundle $args[1]", rc, Bundle("ca.pem", ca)));
    }

    [Fact]
    public async Task EachKeyInThePipelineBringsItsOwnSettings()
    {
        var good = await StartIssuedBy(ca, "127.0.0.1");
        var other = await StartIssuedBy(otherCa, "127.0.0.1");
        var first = Rc(good, $"cert_bundle={Bundle("ca.pem", ca)}\n");
        var second = Rc(other, $"cert_bundle={Bundle("other.pem", otherCa)}\n");
        var third = Rc(good, string.Empty);

        var result = Session.Run("$args | Import-ZulipRc | Test-ZulipApiKey", first, second, third);

        Assert.Equal(new object[] { true, true }, result.Output.Select(o => o.BaseObject));
        AssertError(Assert.Single(result.Errors), "ZulipCertificateError", ErrorCategory.SecurityError);
    }

    [Fact]
    public async Task AKeysUnusableBundleIsAnErrorForThatKeyOnly()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");
        var notPem = dir.File("not-a-bundle.pem");
        File.WriteAllText(notPem, "this is not a certificate\n");

        var result = Session.Run("$args | Import-ZulipRc | Test-ZulipApiKey", Rc(server, $"cert_bundle={notPem}\n"), Rc(server, $"cert_bundle={Bundle("ca.pem", ca)}\n"));

        var error = Assert.Single(result.Errors);
        AssertError(error, "ZulipCertificateUnusable", ErrorCategory.InvalidData);
        Assert.Contains(notPem, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(true, Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public async Task GetZulipApiKeyRecordsTheBundleSoExportAndTestUseIt()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");
        var bundle = Bundle("ca.pem", ca);
        var rc = dir.File("exported");

        var result = Session.RunWith(
            "param($S, $C, $B, $P) Get-ZulipApiKey -Server $S -Credential $C -CertificateBundle $B | Export-ZulipRc -Path $P; Import-ZulipRc -Path $P | Test-ZulipApiKey",
            new Hashtable { ["S"] = server, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), ["B"] = bundle, ["P"] = rc });

        AssertTrue(result);
        Assert.Contains($"cert_bundle = {bundle}\n", File.ReadAllText(rc).Replace("cert_bundle=", "cert_bundle = "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyFetchedWithSkipCertificateCheckSaysSoButExportsInsecureOnlyWhenAsked()
    {
        var server = await StartIssuedBy(ca, "127.0.0.1");
        var rc = dir.File("exported");

        var result = Session.RunWith(
            "param($S, $C, $P) $k = Get-ZulipApiKey -Server $S -Credential $C -SkipCertificateCheck; $k.SkipCertificateCheck; $k | Export-ZulipRc -Path $P",
            new Hashtable { ["S"] = server, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), ["P"] = rc });

        Assert.Empty(result.Errors);
        Assert.Equal(true, Assert.Single(result.Output).BaseObject);
        Assert.DoesNotContain("insecure", File.ReadAllText(rc), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatRequiresAClientCertificateRefusesACallWithoutOne()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));

        var result = Settings(server, "-CertificateBundle $args[1]", Bundle("ca.pem", ca));

        Assert.Empty(result.Output);
        // TLS 1.3 finishes the client's side of the handshake before the server checks for a certificate, so the
        // refusal arrives as a connection closed before the answer, not as a handshake failure.
        AssertError(Assert.Single(result.Errors), "ZulipConnectionFailed", ErrorCategory.ConnectionError);
    }

    [Fact]
    public async Task CertificateOffersTheClientCertificate()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));
        using var client = ca.IssueClient("iago");

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -CertificateBundle $args[1] -Certificate $args[2]", server, Bundle("ca.pem", ca), client);

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
    }

    [Fact]
    public async Task CertificateThumbprintFindsTheCertificateInCurrentUserMy()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));
        using var client = ca.IssueClient("iago-" + Guid.NewGuid().ToString("N"));
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(client);
        try
        {
            // Lower case with spaces, as copied from a certificate dialog.
            var typed = string.Join(" ", client.Thumbprint.ToLowerInvariant().Chunk(8).Select(c => new string(c)));

            var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -CertificateBundle $args[1] -CertificateThumbprint $args[2]", server, Bundle("ca.pem", ca), typed);

            Assert.Empty(result.Errors);
            Assert.Single(result.Output);
        }
        finally
        {
            store.Remove(client);
        }
    }

    [Fact]
    public async Task ACertificateOfAnotherCaIsRefusedByTheServer()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));
        using var client = otherCa.IssueClient("iago");

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -CertificateBundle $args[1] -Certificate $args[2]", server, Bundle("ca.pem", ca), client);

        Assert.Empty(result.Output);
        AssertError(Assert.Single(result.Errors), "ZulipConnectionFailed", ErrorCategory.ConnectionError);
    }

    [Fact]
    public async Task AZuliprcWithClientCertAndClientCertKeyInPemOffersThem()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));
        using var client = ca.IssueClient("iago");
        var (certificate, key) = PrivateCa.WritePem(client, dir.Path, "iago");
        var bundle = Bundle("ca.pem", ca);

        AssertTrue(TestKeyFrom(Rc(server, $"cert_bundle={bundle}\nclient_cert={certificate}\nclient_cert_key={key}\n")));
        AssertError(TestKeyFrom(Rc(server, $"cert_bundle={bundle}\n")).SingleError(), "ZulipConnectionFailed", ErrorCategory.ConnectionError);
    }

    [Fact]
    public async Task AZuliprcWithTheKeyInsideTheCertificateFileWorks()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));
        using var client = ca.IssueClient("iago");
        var (certificate, key) = PrivateCa.WritePem(client, dir.Path, "iago");
        var combined = dir.File("iago.pem");
        File.WriteAllText(combined, File.ReadAllText(certificate) + "\n" + File.ReadAllText(key));

        AssertTrue(TestKeyFrom(Rc(server, $"cert_bundle={Bundle("ca.pem", ca)}\nclient_cert={combined}\n")));
    }

    [Fact]
    public async Task AClientCertificateWithoutItsKeyIsCertificateUnusable()
    {
        var server = await StartWith(new TestServerTls(ca.IssueServer("127.0.0.1"), ca.Certificate));
        using var client = ca.IssueClient("iago");
        var (certificate, _) = PrivateCa.WritePem(client, dir.Path, "iago");

        var error = TestKeyFrom(Rc(server, $"cert_bundle={Bundle("ca.pem", ca)}\nclient_cert={certificate}\n")).SingleError();

        AssertError(error, "ZulipCertificateUnusable", ErrorCategory.InvalidData);
        Assert.Contains("private key", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateAndCertificateThumbprintConflict()
    {
        using var client = ca.IssueClient("iago");

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -Certificate $args[1] -CertificateThumbprint $args[2]", Https, client, client.Thumbprint);

        AssertError(result.SingleError(), "ZulipConflictingParameters", ErrorCategory.InvalidArgument);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void SkipCertificateCheckAndCertificateBundleConflict()
    {
        var result = Settings(Https, "-SkipCertificateCheck -CertificateBundle $args[1]", Bundle("ca.pem", ca));

        AssertError(result.SingleError(), "ZulipConflictingParameters", ErrorCategory.InvalidArgument);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void AnUnknownThumbprintIsClientCertificateNotFound()
    {
        var result = Settings(Https, "-CertificateThumbprint $args[1]", new string('0', 40));

        AssertError(result.SingleError(), "ZulipClientCertificateNotFound", ErrorCategory.ObjectNotFound);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void ACertificateWithoutAPrivateKeyIsRefusedBeforeAnythingIsSent()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(ca.IssueClient("iago").RawData);

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -Certificate $args[1]", Https, publicOnly);

        AssertError(result.SingleError(), "ZulipCertificateUnusable", ErrorCategory.InvalidData);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void AMissingBundleIsInvalidPath()
    {
        var result = Settings(Https, "-CertificateBundle $args[1]", dir.File("nothing.pem"));

        AssertError(result.SingleError(), "ZulipInvalidPath", ErrorCategory.InvalidArgument);
    }
}
