using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>Get-ZulipApiKey -Development (POST /api/v1/dev_fetch_api_key): the same output and errors as a password login.</summary>
public class DevelopmentServerTests : ModuleTestBase
{
    private const string DevPath = "/api/v1/dev_fetch_api_key";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Behaviour.DevelopmentEnvironment = true;
    }

    private PsResult DevKey(string email, string extra = "", string? server = null) =>
        Session.RunWith($"param($Server, $Email) Get-ZulipApiKey -Server $Server -Email $Email -Development {extra}",
            new Hashtable { ["Server"] = server ?? Http, ["Email"] = email });

    [Fact]
    public void AnEmailAloneGivesTheSameObjectAsAPasswordLogin()
    {
        var result = DevKey(TestUsers.Iago.Email);

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal("ZulipAuth.ZulipApiKey", key.TypeNames[0]);
        Assert.Equal(new Uri(Http + "/"), key.Properties["Server"].Value);
        Assert.Equal(TestUsers.Iago.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Iago.UserId, key.Properties["UserId"].Value);
        Assert.Equal(TestUsers.Iago.ApiKey, new NetworkCredential(string.Empty, (SecureString)key.Properties["ApiKey"].Value).Password);
        Assert.Equal(TestUsers.Iago.Email, ((PSCredential)key.Properties["Credential"].Value).UserName);
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void TheRequestCarriesTheUsernameOnlyAndNoPreflightIsNeeded()
    {
        DevKey(TestUsers.Iago.Email);

        var post = Assert.Single(Server.Requests);
        Assert.Equal("POST", post.Method);
        Assert.Equal(DevPath, post.Path);
        Assert.Equal(new[] { "username" }, post.FormKeys);
        Assert.Equal(TestUsers.Iago.Email, post.SubmittedUsername);
        Assert.False(post.HadPasswordField);
    }

    [Fact]
    public void AsPlainTextAndPipelineInputByPropertyNameWork()
    {
        var result = Session.RunWith(
            "param($S) [pscustomobject]@{ Server = $S; Email = 'iago@zulip.com' }, [pscustomobject]@{ Site = $S; UserName = 'hamlet@zulip.com' } | Get-ZulipApiKey -Development -AsPlainText",
            new Hashtable { ["S"] = Http });

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { TestUsers.Iago.ApiKey, TestUsers.Hamlet.ApiKey }, result.Output.Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void AnOldDevelopmentServerGetsTheUserIdFromUsersMe()
    {
        Behaviour.FeatureLevel = 100;

        var result = DevKey(TestUsers.Hamlet.Email);

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Hamlet.UserId, Assert.Single(result.Output).Properties["UserId"].Value);
        Assert.Equal(TestUsers.Hamlet.Email, Assert.Single(Server.Requests, r => r.Path == "/api/v1/users/me").BasicAuthUser);
    }

    [Fact]
    public void AProductionServerAnswers404WhichReadsAsNotADevelopmentEnvironment()
    {
        Behaviour.DevelopmentEnvironment = false;

        var result = DevKey(TestUsers.Iago.Email);

        var error = result.SingleError();
        AssertError(error, "ZulipNotDevelopmentServer", ErrorCategory.NotEnabled);
        Assert.Contains("not a Zulip development environment", error.Exception.Message);
        Assert.Contains("-Credential", error.Exception.Message);
        Assert.Equal(HttpStatusCode.NotFound, Prop(error.Exception, "StatusCode"));
        Assert.Equal(new Uri(Http + "/"), error.TargetObject);
        Assert.Equal(1, Server.CountRequests(DevPath, "POST"));
    }

    [Fact]
    public void ADevelopmentServerWithTheDevLoginOffSaysSoInItsOwnWords()
    {
        Behaviour.DevAuthEnabled = false;

        var error = DevKey(TestUsers.Iago.Email).SingleError();

        AssertError(error, "ZulipNotDevelopmentServer", ErrorCategory.NotEnabled);
        Assert.Equal("DevAuthBackend not enabled.", Prop(error.Exception, "ServerMessage"));
        Assert.StartsWith("DevAuthBackend not enabled.", error.Exception.Message);
        Assert.Contains("development login turned off", error.Exception.Message);
        Assert.Equal(HttpStatusCode.BadRequest, Prop(error.Exception, "StatusCode"));
    }

    public static IEnumerable<object[]> Failures() =>
    [
        ["unknown user", "nobody@zulip.com", "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError],
        ["deactivated user", TestUsers.Deactivated.Email, "ZulipUserDeactivated", ErrorCategory.PermissionDenied],
        ["deactivated organization", TestUsers.Iago.Email, "ZulipRealmDeactivated", ErrorCategory.PermissionDenied],
        ["not an email", "iago", "ZulipInvalidUsername", ErrorCategory.InvalidArgument],
        ["unknown subdomain", TestUsers.Iago.Email, "ZulipInvalidSubdomain", ErrorCategory.ObjectNotFound],
        ["server error", TestUsers.Iago.Email, "ZulipServerError", ErrorCategory.ResourceUnavailable],
    ];

    [Theory]
    [MemberData(nameof(Failures))]
    public void FailuresMapAsForAPasswordLogin(string name, string email, string errorId, ErrorCategory category)
    {
        switch (name)
        {
            case "deactivated organization":
                Behaviour.RealmDeactivated = true;
                break;
            case "unknown subdomain":
                Behaviour.AcceptedHosts = ["localhost"];
                break;
            case "server error":
                Behaviour.InjectFault(FaultKind.Html502, DevPath);
                break;
        }

        var result = DevKey(email);

        var error = result.SingleError();
        AssertError(error, errorId, category);
        Assert.Empty(result.Output);
        Assert.Equal(new Uri(Http + "/"), error.TargetObject);
        if (name == "unknown user")
        {
            // No password exists here, so the hint names real development users instead of a password reset.
            Assert.Contains("iago@zulip.com", error.Exception.Message);
            Assert.DoesNotContain("password/reset", error.Exception.Message);
        }
    }

    [Fact]
    public void PlainHttpToARemoteHostIsRefusedAsForAPasswordLogin()
    {
        var result = DevKey(TestUsers.Iago.Email, server: "http://dev.example.com:9991");

        AssertError(result.SingleError(), "ZulipUnencryptedAuthentication", ErrorCategory.SecurityError);
        Assert.Empty(result.Verbose);
    }
}
