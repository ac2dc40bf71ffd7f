using System.Collections;
using System.Management.Automation;
using System.Net;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// -Proxy, -ProxyCredential and the conflicting combinations, through the local CONNECT proxy. The server and
/// the proxy both live on 127.0.0.1, so these tests also prove that an explicit -Proxy is honoured for
/// loopback targets (which .NET's WebProxy would bypass on Windows PowerShell 5.1).
/// </summary>
public class ProxyTests : ModuleTestBase
{
    private const string ProxyPassword = "Proxy-Canary-Pw-4e1b";

    private LoopbackConnectProxy proxy = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        proxy = new LoopbackConnectProxy();
    }

    public override async Task DisposeAsync()
    {
        await proxy.DisposeAsync();
        await base.DisposeAsync();
    }

    private PsResult GetKeyVia(string server, PSCredential credential, string extra = "", PSCredential? proxyCredential = null) =>
        Session.RunWith($"param($Server, $Credential, $Proxy, $ProxyCredential) Get-ZulipApiKey -Server $Server -Credential $Credential -Proxy $Proxy {(proxyCredential == null ? string.Empty : "-ProxyCredential $ProxyCredential")} -TimeoutSec 10 {extra}",
            new Hashtable { ["Server"] = server, ["Credential"] = credential, ["Proxy"] = proxy.Uri, ["ProxyCredential"] = proxyCredential });

    [Fact]
    public void HttpsGoesThroughACONNECTTunnelOfTheGivenProxy()
    {
        var result = GetKeyVia(Https, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-SkipCertificateCheck");

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.Email, Assert.Single(result.Output).Properties["Email"].Value);
        Assert.InRange(proxy.TunnelCount, 1, 2);
        Assert.All(proxy.Targets, t => Assert.Equal($"127.0.0.1:{Server.HttpsPort}", t));
        Assert.Equal(1, Posts);
    }

    [Fact]
    public void APasswordForLoopbackThroughTheGivenProxyIsRefusedBeforeAnythingIsSent()
    {
        var result = GetKeyVia(Http, Cred(TestUsers.Iago.Email, CanaryPassword));

        AssertError(result.SingleError(), "ZulipUnencryptedAuthentication", ErrorCategory.SecurityError);
        Assert.Contains(proxy.Uri.GetLeftPart(UriPartial.Authority), result.SingleError().Exception.Message);
        Assert.Equal(0, proxy.RequestCount);
        Assert.Equal(0, Posts);
        result.AssertNoSecret(CanaryPassword);
    }

    [Fact]
    public void AnApiKeyForLoopbackThroughTheGivenProxyIsRefused()
    {
        var result = Session.RunWith("param($Server, $Proxy, $Key) Test-ZulipApiKey -Server $Server -Credential $Key -Proxy $Proxy",
            new Hashtable { ["Server"] = Http, ["Proxy"] = proxy.Uri, ["Key"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.ApiKey) });

        AssertError(result.SingleError(), "ZulipUnencryptedAuthentication", ErrorCategory.SecurityError);
        Assert.Empty(result.Output);
        Assert.Equal(0, proxy.RequestCount);
    }

    [Fact]
    public void PlainHttpIsForwardedByTheGivenProxy()
    {
        var result = GetKeyVia(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-AllowUnencryptedAuthentication");

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        // The settings GET and the POST, each forwarded (the proxy closes every forwarded connection).
        Assert.Equal(2, proxy.RequestCount);
        Assert.Equal(0, proxy.TunnelCount);
    }

    [Fact]
    public void EveryCallOfEveryCmdletUsesTheProxy()
    {
        var result = Session.RunWith(
            "param($Server, $Proxy, $Key) Get-ZulipServerSettings -Server $Server -Proxy $Proxy | Out-Null; Test-ZulipApiKey -Server $Server -Credential $Key -Proxy $Proxy -AllowUnencryptedAuthentication",
            new Hashtable { ["Server"] = Http, ["Proxy"] = proxy.Uri, ["Key"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.ApiKey) });

        Assert.Empty(result.Errors);
        Assert.Equal(true, Assert.Single(result.Output).BaseObject);
        Assert.Equal(2, proxy.RequestCount);
    }

    [Fact]
    public void ProxyCredentialAnswersTheProxysChallenge()
    {
        proxy.RequiredCredential = new NetworkCredential("proxy-user", ProxyPassword);

        var result = GetKeyVia(Https, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-SkipCertificateCheck", Cred("proxy-user", ProxyPassword));

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.True(proxy.AuthChallenges >= 1, "The proxy never challenged, so the credential was not tested.");
        Assert.True(proxy.TunnelCount >= 1);
        result.AssertNoSecret(ProxyPassword, TestUsers.Iago.Password);
    }

    [Theory]
    [InlineData("https", "wrong")]
    [InlineData("https", null)]
    [InlineData("http", "wrong")]
    [InlineData("http", null)]
    public void ARefusedProxyCredentialIsAProxyErrorThatNamesTheProxy(string scheme, string? given)
    {
        proxy.RequiredCredential = new NetworkCredential("proxy-user", ProxyPassword);
        var server = scheme == "https" ? Https : Http;

        // Plain http through a proxy needs the opt-in; the proxy's refusal is what is tested here.
        var optIn = scheme == "http" ? " -AllowUnencryptedAuthentication" : string.Empty;
        var result = GetKeyVia(server, Cred(TestUsers.Iago.Email, CanaryPassword), "-SkipCertificateCheck -MaximumRetryCount 3 -RetryIntervalSec 1" + optIn,
            given == null ? null : Cred("proxy-user", given + "-" + ProxyPassword));

        var error = result.SingleError();
        AssertError(error, "ZulipProxyAuthenticationRequired", ErrorCategory.AuthenticationError);
        Assert.Contains(proxy.Uri.GetLeftPart(UriPartial.Authority), error.Exception.Message);
        Assert.Contains("-ProxyCredential", error.ErrorDetails!.RecommendedAction);
        Assert.Equal(407, (int?)(HttpStatusCode?)Prop(error.Exception, "StatusCode"));
        // The proxy refused before anything reached the server, and a refused proxy login is never retried.
        Assert.Empty(Server.Requests);
        Assert.InRange(proxy.AuthChallenges, 1, 2);
        result.AssertNoSecret(ProxyPassword, CanaryPassword);
    }

    [Fact]
    public async Task AProxyThatIsNotThereIsAConnectionFailure()
    {
        await proxy.DisposeAsync();

        var result = GetKeyVia(Http, Cred(TestUsers.Iago.Email, CanaryPassword), "-AllowUnencryptedAuthentication");

        var error = result.SingleError();
        AssertError(error, "ZulipConnectionFailed", ErrorCategory.ConnectionError);
        Assert.Contains($"proxy {proxy.Uri.GetLeftPart(UriPartial.Authority)}", error.Exception.Message);
        Assert.Contains("-NoProxy", error.ErrorDetails!.RecommendedAction);
        Assert.Empty(Server.Requests);
        result.AssertNoSecret(CanaryPassword);
    }

    public static IEnumerable<object[]> Conflicts() => new[]
    {
        new object[] { "-NoProxy -Proxy $Proxy" },
        new object[] { "-NoProxy -ProxyUseDefaultCredentials" },
        new object[] { "-NoProxy -ProxyCredential $ProxyCredential" },
        new object[] { "-Proxy $Proxy -ProxyCredential $ProxyCredential -ProxyUseDefaultCredentials" },
        new object[] { "-ProxyCredential $ProxyCredential" },
        new object[] { "-Proxy 'ftp://127.0.0.1:21'" },
        new object[] { "-Proxy 'proxy.example.com:8080'" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void ConflictingProxyParametersStopTheCommandBeforeAnythingIsSent(string parameters)
    {
        foreach (var command in new[] { "Get-ZulipApiKey -Server $Server -Credential $Credential", "Get-ZulipServerSettings -Server $Server", "Test-ZulipApiKey -Server $Server -Credential $Credential" })
        {
            // Only a terminating error reaches the catch block (a non-terminating one would let 'not reached' run).
            var result = Session.RunWith($"param($Server, $Credential, $Proxy, $ProxyCredential) try {{ {command} {parameters}; 'not reached' }} catch {{ $_ }}",
                new Hashtable { ["Server"] = Http, ["Credential"] = Cred(TestUsers.Iago.Email, CanaryPassword), ["Proxy"] = proxy.Uri, ["ProxyCredential"] = Cred("proxy-user", ProxyPassword) });

            Assert.Null(result.Terminating);
            Assert.Empty(result.Errors);
            var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
            AssertError(error, "ZulipConflictingParameters", ErrorCategory.InvalidArgument);
            Assert.False(string.IsNullOrWhiteSpace(error.Exception.Message));
            result.Errors.Add(error); // caught, so it is output here: scan it as the error it is
            result.AssertNoSecret(CanaryPassword, ProxyPassword);
        }

        Assert.Empty(Server.Requests);
        Assert.Equal(0, proxy.TunnelCount + proxy.RequestCount + proxy.AuthChallenges);
    }
}
