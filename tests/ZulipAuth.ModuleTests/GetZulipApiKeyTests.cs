using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>Get-ZulipApiKey against the local server: outputs, pipelines, the preflight and the unencrypted rule.</summary>
public class GetZulipApiKeyTests : ModuleTestBase
{
    [Fact]
    public void FetchesIagosKeyAsATypedObject()
    {
        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal("ZulipAuth.ZulipApiKey", key.TypeNames[0]);
        Assert.Equal(new Uri(Http + "/"), key.Properties["Server"].Value);
        Assert.Equal(TestUsers.Iago.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Iago.UserId, key.Properties["UserId"].Value);
        var secure = Assert.IsType<SecureString>(key.Properties["ApiKey"].Value);
        Assert.Equal(TestUsers.Iago.ApiKey, new NetworkCredential(string.Empty, secure).Password);
        var credential = Assert.IsType<PSCredential>(key.Properties["Credential"].Value);
        Assert.Equal(TestUsers.Iago.Email, credential.UserName);
        Assert.Equal(TestUsers.Iago.ApiKey, credential.GetNetworkCredential().Password);
        Assert.DoesNotContain(TestUsers.Iago.ApiKey, key.ToString());
        Assert.Contains(TestUsers.Iago.Email, key.ToString());
    }

    [Fact]
    public void AsPlainTextEmitsTheKeyAsAString()
    {
        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-AsPlainText");

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.ApiKey, Assert.IsType<string>(Assert.Single(result.Output).BaseObject));
    }

    [Fact]
    public void SendsTheDocumentedRequest()
    {
        GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        var post = Assert.Single(Server.Requests, r => r.Path == "/api/v1/fetch_api_key");
        Assert.Equal("POST", post.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", post.ContentType);
        Assert.Contains("charset=utf-8", post.ContentType);
        Assert.Matches(@"^ZulipAuth/\d+\.\d+\.\d+ \(Core 7\.\d+\.\d+; .+\)$", post.UserAgent);
    }

    [Fact]
    public void APasswordWithEveryAwkwardCharacterRoundTrips()
    {
        var result = GetKey(Http, Cred(TestUsers.Othello.Email, TestUsers.Othello.Password), "-AsPlainText");

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Othello.ApiKey, Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void WorksOverTlsWithSkipCertificateCheckAndSaysSo()
    {
        var result = GetKey(Https, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-SkipCertificateCheck");

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.Contains(result.Warnings, w => w.Contains("SkipCertificateCheck", StringComparison.Ordinal));
        Assert.Contains(Server.Requests, r => r.Path == "/api/v1/fetch_api_key" && r.Scheme == "https");
    }

    [Fact]
    public void ManyCredentialsFromThePipelineGiveOneOutputOrOneErrorEach()
    {
        var credentials = new[]
        {
            Cred(TestUsers.Iago.Email, TestUsers.Iago.Password),
            Cred(TestUsers.Hamlet.Email, "wrong"),
            Cred(TestUsers.Othello.Email, TestUsers.Othello.Password),
        };
        var result = Session.RunWith("param($Server, $Credentials) $Credentials | Get-ZulipApiKey -Server $Server -ErrorAction Continue; 'pipeline went on'",
            new Hashtable { ["Server"] = Http, ["Credentials"] = credentials });

        Assert.Null(result.Terminating);
        Assert.Equal(new object[] { TestUsers.Iago.Email, TestUsers.Othello.Email, "pipeline went on" },
            result.Output.Select(o => o.BaseObject is string s ? s : o.Properties["Email"].Value));
        AssertError(Assert.Single(result.Errors), "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError);
        Assert.Equal(1, Server.CountRequests("/api/v1/server_settings"));
    }

    [Fact]
    public void BindsServerAndCredentialByPropertyName()
    {
        var result = Session.RunWith(
            "param($Server, $A, $B) @([pscustomobject]@{ Site = $Server; Credential = $A }, [pscustomobject]@{ Server = $Server; Credential = $B }) | Get-ZulipApiKey",
            new Hashtable { ["Server"] = Http, ["A"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), ["B"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password) });

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { TestUsers.Iago.Email, TestUsers.Hamlet.Email }, result.Output.Select(o => (string)o.Properties["Email"].Value));
    }

    [Fact]
    public void LdapLoginNameGivesTheEmailTheServerReturned()
    {
        Behaviour.LdapEnabled = true;

        var result = GetKey(Http, Cred(TestUsers.Ldap.LoginName, TestUsers.Ldap.Password));

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(TestUsers.Ldap.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Ldap.Email, ((PSCredential)key.Properties["Credential"].Value).UserName);
    }

    [Fact]
    public void OldServersWithoutUserIdGetItFromUsersMe()
    {
        Behaviour.FeatureLevel = 100;

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.UserId, Assert.Single(result.Output).Properties["UserId"].Value);
        Assert.Equal(1, Server.CountRequests("/api/v1/users/me", "GET"));
    }

    [Theory]
    [InlineData("http://chat.example.com")]
    [InlineData("http://10.1.2.3:9991")]
    public void RefusesPlainHttpToARemoteHostBeforeSendingAnything(string server)
    {
        var result = GetKey(server, Cred(TestUsers.Iago.Email, CanaryPassword), "-TimeoutSec 2");

        var error = result.SingleError();
        AssertError(error, "ZulipUnencryptedAuthentication", ErrorCategory.SecurityError);
        Assert.Contains("-AllowUnencryptedAuthentication", error.Exception.Message);
        Assert.Equal(new Uri(server + "/"), error.TargetObject);
        Assert.Empty(result.Verbose);
        result.AssertNoSecret(CanaryPassword);
    }

    [Fact]
    public void AUserNameAloneIsAskedForThePasswordOfThatServer()
    {
        var host = new RecordingHost(Cred("ignored", TestUsers.Iago.Password));
        using var session = new PsSession(host);

        var result = session.Run("Get-ZulipApiKey -Server $args[0] -Credential iago@zulip.com", Http);

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.Email, Assert.Single(result.Output).Properties["Email"].Value);
        var prompt = Assert.Single(host.CredentialPrompts);
        Assert.Equal(TestUsers.Iago.Email, prompt.UserName);
        Assert.StartsWith($"Password for {TestUsers.Iago.Email} on {new Uri(Http).Authority}", prompt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachPipedUserNameIsAskedForSeparately()
    {
        var host = new RecordingHost(Cred("ignored", TestUsers.Iago.Password));
        using var session = new PsSession(host);

        var result = session.Run("'iago@zulip.com', 'hamlet@zulip.com' | Get-ZulipApiKey -Server $args[0]", Http);

        Assert.Equal(new[] { TestUsers.Iago.Email, TestUsers.Hamlet.Email }, host.CredentialPrompts.Select(p => p.UserName));
        Assert.All(host.CredentialPrompts, p => Assert.Contains($"{p.UserName} on {new Uri(Http).Authority}", p.Message, StringComparison.Ordinal));
        Assert.Single(result.Output);
        AssertError(result.SingleError(), "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError);
    }

    [Fact]
    public void ACancelledPromptIsZulipCredentialNotEnteredAndSendsNoPassword()
    {
        var host = new RecordingHost(answer: null);
        using var session = new PsSession(host);

        var result = session.Run("Get-ZulipApiKey -Server $args[0] -Credential iago@zulip.com", Http);

        Assert.Empty(result.Output);
        AssertError(result.SingleError(), "ZulipCredentialNotEntered", ErrorCategory.InvalidArgument);
        Assert.Equal(0, Server.CountRequests("/api/v1/fetch_api_key"));
    }

    [Theory]
    [InlineData("iago@zulip.com")]
    [InlineData("zulip://chat.example.com")]
    [InlineData("https://chat.example.com/some/page")]
    public void RefusesAnUnusableServerBeforeSendingAnything(string server)
    {
        var result = GetKey(server, Cred(TestUsers.Iago.Email, CanaryPassword));

        AssertError(result.SingleError(), "ZulipInvalidServer", ErrorCategory.InvalidArgument);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void DevelopmentServerGivesAKeyForAnEmailAlone()
    {
        Behaviour.DevelopmentEnvironment = true;

        var result = Session.RunWith("param($Server) Get-ZulipApiKey -Server $Server -Email iago@zulip.com -Development", new Hashtable { ["Server"] = Http });

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.Email, Assert.Single(result.Output).Properties["Email"].Value);
    }

    [Fact]
    public void DevelopmentOnAProductionServerSaysItIsNotADevelopmentEnvironment()
    {
        var result = Session.RunWith("param($Server) Get-ZulipApiKey -Server $Server -Email iago@zulip.com -Development", new Hashtable { ["Server"] = Http });

        var error = result.SingleError();
        AssertError(error, "ZulipNotDevelopmentServer", ErrorCategory.NotEnabled);
        Assert.Contains("not a Zulip development environment", error.Exception.Message);
    }

    [Fact]
    public void VerboseNamesTheUrlAndTheUserButNothingSecret()
    {
        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));

        Assert.Contains(result.Verbose, v => v.Contains("/api/v1/fetch_api_key", StringComparison.Ordinal) && v.Contains(TestUsers.Iago.Email, StringComparison.Ordinal));
        result.AssertNoSecret(TestUsers.Iago.Password, TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void ServerSettingsAreReadOncePerServerAndReused()
    {
        GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));
        GetKey(Http, Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password));

        Assert.Equal(1, Server.CountRequests("/api/v1/server_settings"));
        Assert.Equal(2, Posts);
    }
}
