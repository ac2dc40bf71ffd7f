using System.Collections;
using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The server-settings preflight of Get-ZulipApiKey -Credential, beyond what GetZulipApiKeyTests covers: the
/// cache across calls, runspaces and threads, the cases where the password must never leave the machine,
/// the choice of login URL, and the user id of old servers.
/// </summary>
public class PreflightTests : ModuleTestBase
{
    private const string SettingsPath = "/api/v1/server_settings";

    private int SettingsReads => Server.CountRequests(SettingsPath);

    private void AssertNoPasswordReachedTheServer()
    {
        Assert.Equal(0, Posts);
        Assert.DoesNotContain(Server.Requests, r => r.HadPasswordField);
    }

    [Fact]
    public async Task TheCacheIsPerServer()
    {
        await using var other = await ZulipTestServer.StartAsync();

        Assert.Empty(GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).Errors);
        Assert.Empty(GetKey(other.HttpUrl, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).Errors);
        Assert.Empty(GetKey(Http, Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password)).Errors);
        Assert.Empty(GetKey(other.HttpUrl, Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password)).Errors);

        Assert.Equal(1, SettingsReads);
        Assert.Equal(1, other.CountRequests(SettingsPath));
    }

    [Fact]
    public void ACachedAnswerIsUsedEvenAfterTheServerChangedAndVerboseSaysSo()
    {
        Assert.Empty(GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).Errors);
        // Were the settings read again, the preflight would now refuse; the cached answer lets the POST go,
        // and the server's own answer is then the one that counts.
        Behaviour.PasswordAuthEnabled = false;

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, CanaryPassword));

        AssertError(result.SingleError(), "ZulipPasswordAuthDisabled", ErrorCategory.NotEnabled);
        Assert.Equal(1, SettingsReads);
        Assert.Equal(2, Posts);
        Assert.Contains(result.Verbose, v => v.Contains("server settings", StringComparison.OrdinalIgnoreCase) && v.Contains("minutes", StringComparison.Ordinal));
        result.AssertNoSecret(CanaryPassword);
    }

    [Fact]
    public async Task TheCacheIsSharedByRunspacesAndSafeUnderConcurrentLogins()
    {
        const int Runspaces = 4;
        const int LoginsEach = 3;
        var sessions = Enumerable.Range(0, Runspaces).Select(_ => new PsSession()).ToArray();
        try
        {
            using var start = new Barrier(Runspaces);
            var runs = sessions.Select(session => Task.Run(() =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                return session.RunWith(
                    "param($S, $C, $N) 1..$N | ForEach-Object { Get-ZulipApiKey -Server $S -Credential $C -AsPlainText }",
                    new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), ["N"] = LoginsEach });
            })).ToArray();
            var results = await Task.WhenAll(runs);

            Assert.All(results, r =>
            {
                Assert.Null(r.Terminating);
                Assert.Empty(r.Errors);
                Assert.Equal(Enumerable.Repeat(TestUsers.Iago.ApiKey, LoginsEach), r.Output.Select(o => (string)o.BaseObject));
            });

            // Runspaces that missed the cache at the same moment may each have read it once; never once per login.
            var reads = SettingsReads;
            Assert.InRange(reads, 1, Runspaces);
            Assert.Equal(Runspaces * LoginsEach, Posts);

            // A runspace that did nothing yet finds the settings cached by the others.
            Assert.Empty(GetKey(Http, Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password)).Errors);
            Assert.Equal(reads, SettingsReads);
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    [Fact]
    public void PasswordLoginOffNamesTheOfferedMethodsAndTheWebAppsApiKeyPageAndSendsNothing()
    {
        Behaviour.PasswordAuthEnabled = false;
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub(), ExternalAuthMethod.Google(), ExternalAuthMethod.Saml()];

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, CanaryPassword));

        var error = result.SingleError();
        AssertError(error, "ZulipPasswordAuthDisabled", ErrorCategory.NotEnabled);
        foreach (var method in new[] { "GitHub", "Google", "Okta" })
        {
            Assert.Contains(method, error.Exception.Message);
        }

        Assert.Contains("Personal settings > Account & privacy > API key", error.Exception.Message);
        Assert.Contains(Http, error.Exception.Message);
        Assert.Contains("not sent", error.Exception.Message);
        Assert.Equal(new Uri(Http + "/"), error.TargetObject);
        Assert.Empty(result.Output);
        AssertNoPasswordReachedTheServer();
        result.AssertNoSecret(CanaryPassword);
    }

    [Fact]
    public void PasswordLoginOffWithoutExternalMethodsStillSaysWhereTheKeyIs()
    {
        Behaviour.PasswordAuthEnabled = false;

        var error = GetKey(Http, Cred(TestUsers.Iago.Email, CanaryPassword)).SingleError();

        AssertError(error, "ZulipPasswordAuthDisabled", ErrorCategory.NotEnabled);
        Assert.Contains("API key", error.Exception.Message);
        AssertNoPasswordReachedTheServer();
    }

    [Theory]
    [InlineData("iago")]
    [InlineData("DOMAIN\\iago")]
    [InlineData("iago@")]
    public void ALoginNameWhereEmailsAreRequiredIsRefusedWithoutSendingAnything(string username)
    {
        var result = GetKey(Http, Cred(username, CanaryPassword));

        var error = result.SingleError();
        AssertError(error, "ZulipInvalidUsername", ErrorCategory.InvalidArgument);
        Assert.Contains("email", error.Exception.Message);
        Assert.Contains("not sent", error.Exception.Message);
        AssertNoPasswordReachedTheServer();
        result.AssertNoSecret(CanaryPassword);
    }

    [Theory]
    [InlineData("admin@localhost")]
    [InlineData("admin@[127.0.0.1]")]
    public void AnythingDjangoAcceptsAsAnEmailIsLeftToTheServer(string username)
    {
        var result = GetKey(Http, Cred(username, CanaryPassword));

        // No such user here: the server's answer, after one POST, rather than a refusal before it.
        AssertError(result.SingleError(), "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError);
        Assert.Equal(1, Posts);
        Assert.Equal(username, Assert.Single(Server.Requests, r => r.Path == "/api/v1/fetch_api_key").SubmittedUsername);
    }

    [Fact]
    public void WhenTheServerDoesNotSayWhetherEmailsAreRequiredTheServerDecides()
    {
        Behaviour.OmitOptionalFields = true;

        var result = GetKey(Http, Cred("iago", CanaryPassword));

        var error = result.SingleError();
        AssertError(error, "ZulipInvalidUsername", ErrorCategory.InvalidArgument);
        Assert.Equal("Enter a valid email address.", Prop(error.Exception, "ServerMessage"));
        Assert.Equal(1, Posts);
    }

    [Fact]
    public void APreflightThatFailsStopsBeforeThePassword()
    {
        Behaviour.InjectFault(FaultKind.Html200, SettingsPath);

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, CanaryPassword));

        AssertError(result.SingleError(), "ZulipUnexpectedResponse", ErrorCategory.InvalidResult);
        AssertNoPasswordReachedTheServer();
        result.AssertNoSecret(CanaryPassword);
    }

    [Fact]
    public void AFailedPreflightIsNotCached()
    {
        Behaviour.InjectFault(FaultKind.Html502, SettingsPath, count: 1);

        GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).SingleError();
        var retry = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Empty(retry.Errors);
        Assert.Equal(2, SettingsReads);
        Assert.Equal(1, Posts);
    }

    [Fact]
    public void PlainHttpIsUpgradedToTheHttpsRealmUrlOnTheSameHost()
    {
        Behaviour.RealmUrlOverride = Https;

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-SkipCertificateCheck");

        Assert.Empty(result.Errors);
        Assert.Equal(new Uri(Https + "/"), Assert.Single(result.Output).Properties["Server"].Value);
        var post = Assert.Single(Server.Requests, r => r.Path == "/api/v1/fetch_api_key");
        Assert.Equal("https", post.Scheme);
        Assert.Contains(result.Verbose, v => v.Contains(Https + "/api/v1/fetch_api_key", StringComparison.Ordinal));
    }

    [Fact]
    public void AnHttpRealmUrlNeverDowngradesAnHttpsServer()
    {
        Behaviour.RealmUrlOverride = Http;

        var result = GetKey(Https, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-SkipCertificateCheck");

        Assert.Empty(result.Errors);
        Assert.Equal(new Uri(Https + "/"), Assert.Single(result.Output).Properties["Server"].Value);
        Assert.DoesNotContain(Server.Requests, r => r.Scheme == "http");
    }

    [Fact]
    public void ARealmUrlOnAnotherHostKeepsTheGivenServerAndWarnsWithBothNames()
    {
        // localhost and 127.0.0.1 reach the same server but are different hosts to a browser, a certificate and Zulip.
        Behaviour.RealmUrlOverride = $"http://localhost:{Server.HttpPort}";

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Empty(result.Errors);
        Assert.Equal(new Uri(Http + "/"), Assert.Single(result.Output).Properties["Server"].Value);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"http://localhost:{Server.HttpPort}", warning);
        Assert.Contains(Http, warning);
        var post = Assert.Single(Server.Requests, r => r.Path == "/api/v1/fetch_api_key");
        Assert.Equal($"127.0.0.1:{Server.HttpPort}", post.Host);
    }

    [Fact]
    public void TheUserIdOfAnOldServerComesFromUsersMeWithTheReturnedEmail()
    {
        // An LDAP login name differs from the email; HTTP Basic must use the email the server returned.
        Behaviour.FeatureLevel = 100;
        Behaviour.LdapEnabled = true;

        var result = GetKey(Http, Cred(TestUsers.Ldap.LoginName, TestUsers.Ldap.Password));

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(TestUsers.Ldap.UserId, key.Properties["UserId"].Value);
        var me = Assert.Single(Server.Requests, r => r.Path == "/api/v1/users/me");
        Assert.Equal("GET", me.Method);
        Assert.Equal("Basic", me.AuthorizationScheme);
        Assert.Equal(TestUsers.Ldap.Email, me.BasicAuthUser);
        result.AssertNoSecret(TestUsers.Ldap.Password, TestUsers.Ldap.ApiKey);
    }

    [Fact]
    public void AModernServerThatSendsUserIdIsNotAskedAgain()
    {
        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Equal(TestUsers.Iago.UserId, Assert.Single(result.Output).Properties["UserId"].Value);
        Assert.Equal(0, Server.CountRequests("/api/v1/users/me"));
    }

    [Fact]
    public void WhenUsersMeFailsTheKeyIsStillReturnedWithAWarning()
    {
        Behaviour.FeatureLevel = 100;
        Behaviour.InjectFault(FaultKind.Html502, "/api/v1/users/me");

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Null(key.Properties["UserId"].Value);
        Assert.Equal(TestUsers.Iago.Email, key.Properties["Email"].Value);
        Assert.Contains(result.Warnings, w => w.Contains("user id", StringComparison.Ordinal) && w.Contains("ZulipServerError", StringComparison.Ordinal));
        result.AssertNoSecret(TestUsers.Iago.Password, TestUsers.Iago.ApiKey);
    }
}
