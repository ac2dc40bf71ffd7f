using System.Collections;
using System.Diagnostics;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Without -Proxy the module uses the system proxy, which in PowerShell 7 is [System.Net.Http.HttpClient]::DefaultProxy
/// (from HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or set by the user); -NoProxy goes direct. The default proxy is
/// process-wide, so these tests run alone and put it back.
/// </summary>
[Collection(SerialCollection.Name)]
public class SystemProxyTests : ModuleTestBase
{
    [Fact]
    public async Task TheSystemProxyIsUsedByDefaultAndNoProxyBypassesIt()
    {
        await using var proxy = new LoopbackConnectProxy();
        var original = System.Net.Http.HttpClient.DefaultProxy;
        try
        {
            // Set the way a PowerShell 7 user does it, after the module has already been used in the process.
            var set = Session.Run("$p = [System.Net.WebProxy]::new($args[0]); $p.BypassProxyOnLocal = $false; [System.Net.Http.HttpClient]::DefaultProxy = $p", proxy.Uri);
            Assert.Empty(set.Errors);
            Assert.Null(set.Terminating);

            var viaProxy = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-AllowUnencryptedAuthentication");
            Assert.Empty(viaProxy.Errors);
            Assert.Equal(2, proxy.RequestCount);

            var direct = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-NoProxy");
            Assert.Empty(direct.Errors);
            Assert.Single(direct.Output);
            Assert.Equal(2, proxy.RequestCount);
            Assert.Equal(2, Posts);
        }
        finally
        {
            System.Net.Http.HttpClient.DefaultProxy = original;
        }
    }

    [Fact]
    public async Task ASystemProxyThatAppliesToLoopbackEndsThePlainHttpExemption()
    {
        await using var proxy = new LoopbackConnectProxy();
        var original = System.Net.Http.HttpClient.DefaultProxy;
        try
        {
            // What HTTP_PROXY without NO_PROXY gives: a proxy for every http URL, loopback included.
            System.Net.Http.HttpClient.DefaultProxy = new System.Net.WebProxy(proxy.Uri) { BypassProxyOnLocal = false };
            var localhost = $"http://localhost:{Server.HttpPort}";

            var login = GetKey(localhost, Cred(TestUsers.Iago.Email, CanaryPassword));
            var test = Session.RunWith("param($Server, $Key) Test-ZulipApiKey -Server $Server -Credential $Key",
                new Hashtable { ["Server"] = localhost, ["Key"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.ApiKey) });

            AssertError(login.SingleError(), "ZulipUnencryptedAuthentication", System.Management.Automation.ErrorCategory.SecurityError);
            AssertError(test.SingleError(), "ZulipUnencryptedAuthentication", System.Management.Automation.ErrorCategory.SecurityError);
            Assert.Empty(test.Output);
            Assert.Equal(0, proxy.RequestCount);
            login.AssertNoSecret(CanaryPassword);

            var direct = GetKey(localhost, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-NoProxy");
            Assert.Empty(direct.Errors);
            Assert.Equal(0, proxy.RequestCount);
        }
        finally
        {
            System.Net.Http.HttpClient.DefaultProxy = original;
        }
    }
}
