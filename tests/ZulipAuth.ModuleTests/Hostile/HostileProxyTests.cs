using System.Collections;
using System.Net;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// The loopback exemption holds only for a request that goes straight to loopback: through -Proxy or the system
/// proxy ([System.Net.Http.HttpClient]::DefaultProxy, what HTTP_PROXY sets), a password or key for
/// http://localhost must be refused before it is sent, so the logging proxy never sees it. The default proxy is
/// process-wide, so these run alone and put it back.
/// </summary>
[Collection(SerialCollection.Name)]
public class HostileProxyTests : IDisposable
{
    private readonly PsSession session = new();

    public static TheoryData<string, string, string?> Cases => new()
    {
        // command, how the proxy is chosen, expected ErrorId (null: success)
        { "Get-ZulipApiKey", "-Proxy", "ZulipUnencryptedAuthentication" },
        { "Get-ZulipApiKey", "system", "ZulipUnencryptedAuthentication" },
        { "Test-ZulipApiKey", "-Proxy", "ZulipUnencryptedAuthentication" },
        { "Test-ZulipApiKey", "system", "ZulipUnencryptedAuthentication" },
        { "Get-ZulipApiKey", "-Proxy -AllowUnencryptedAuthentication", null },
        { "Get-ZulipApiKey", "system -NoProxy", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NoSecretReachesAProxyInClearWithoutOptingIn(string command, string route, string? errorId)
    {
        using var server = new HostileServer(TimeSpan.FromSeconds(30));
        using var proxy = new LoggingProxy();
        var original = System.Net.Http.HttpClient.DefaultProxy;
        try
        {
            var extra = route.Replace("system", string.Empty, StringComparison.Ordinal).Replace("-Proxy", "-Proxy $Proxy", StringComparison.Ordinal);
            if (route.StartsWith("system", StringComparison.Ordinal))
            {
                System.Net.Http.HttpClient.DefaultProxy = new WebProxy(proxy.Uri) { BypassProxyOnLocal = false };
            }

            var secret = command == "Test-ZulipApiKey" ? Secrets.Key : Secrets.Password;
            var result = session.RunWith($"param($Server, $Credential, $Proxy) {command} -Server $Server -Credential $Credential {extra}", new Hashtable
            {
                ["Server"] = $"http://localhost:{server.Port}",
                ["Credential"] = PsSession.Credential(Email, secret),
                ["Proxy"] = proxy.Uri,
            });

            Assert.Null(result.Terminating);
            if (errorId == null)
            {
                Assert.Empty(result.Errors);
                Assert.Single(result.Output);
                Assert.Equal(route.Contains("-NoProxy") ? 0 : 2, proxy.Requests);
                return;
            }

            Assert.StartsWith(errorId + ",", Assert.Single(result.Errors).FullyQualifiedErrorId);
            Assert.Empty(result.Output);
            foreach (var (label, value) in Secrets.All(Email))
            {
                Assert.False(proxy.Seen.Contains(value, StringComparison.Ordinal), $"the {label} reached the proxy in clear");
            }

            Assert.DoesNotContain("Authorization: Basic", proxy.Seen, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("password=", proxy.Seen, StringComparison.Ordinal);
            Assert.Equal(0, server.Posts);
            result.AssertNoSecret(secret);
        }
        finally
        {
            System.Net.Http.HttpClient.DefaultProxy = original;
        }
    }

    public void Dispose() => session.Dispose();
}
