using System.Collections;
using System.Net;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>-Proxy with -ProxyCredential against a loopback CONNECT proxy that demands Basic credentials.</summary>
public class ProxyCredentialTests : ModuleTestBase
{
    private const string ProxyPassword = "Proxy-Pw-5e1b";

    [Fact]
    public async Task ProxyCredentialAnswersTheProxysChallenge()
    {
        await using var proxy = new LoopbackConnectProxy(new NetworkCredential("proxyuser", ProxyPassword));

        var result = Session.RunWith(
            "param($Server, $Credential, $Proxy, $ProxyCredential) Get-ZulipApiKey -Server $Server -Credential $Credential -SkipCertificateCheck -Proxy $Proxy -ProxyCredential $ProxyCredential -TimeoutSec 10",
            new Hashtable
            {
                ["Server"] = Https,
                ["Credential"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password),
                ["Proxy"] = proxy.Uri,
                ["ProxyCredential"] = Cred("proxyuser", ProxyPassword),
            });

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.Email, Assert.Single(result.Output).Properties["Email"].Value);
        Assert.True(proxy.AuthChallenges >= 1, "the proxy asked for credentials");
        Assert.True(proxy.TunnelCount >= 1, "the requests went through the proxy");
        result.AssertNoSecret(ProxyPassword, TestUsers.Iago.Password);
    }
}
