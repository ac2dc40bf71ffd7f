using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Test-ZulipApiKey: $true when users/me accepts the key, $false when the server rejects it (with its reason in
/// a verbose line), and an error whenever the answer says nothing about the key. The key itself never reaches
/// any stream.
/// </summary>
public class TestZulipApiKeyTests : ModuleTestBase
{
    private const string UsersMe = "/api/v1/users/me";

    private PsResult TestWith(string server, string email, string key, string extra = "") =>
        Session.RunWith($"param($S, $C) Test-ZulipApiKey -Server $S -Credential $C {extra}",
            new Hashtable { ["S"] = server, ["C"] = Cred(email, key) });

    private static bool SingleBool(PsResult result)
    {
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        return Assert.IsType<bool>(Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void AGoodKeyPipedFromGetZulipApiKeyIsTrue()
    {
        var result = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C | Test-ZulipApiKey",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) });

        Assert.True(SingleBool(result));
        var me = Assert.Single(Server.Requests, r => r.Path == UsersMe);
        Assert.Equal("GET", me.Method);
        Assert.Equal("Basic", me.AuthorizationScheme);
        Assert.Equal(TestUsers.Iago.Email, me.BasicAuthUser);
        Assert.Contains(result.Verbose, v => v.Contains(Http + UsersMe, StringComparison.Ordinal) && v.Contains(TestUsers.Iago.Email, StringComparison.Ordinal));
        result.AssertNoSecret(TestUsers.Iago.Password, TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void AGoodKeyPipedFromImportZulipRcIsTrue()
    {
        using var dir = new TempDirectory();
        var rc = dir.File("zuliprc");
        FileSystemProbe.WriteRc(rc, $"[api]\nemail={TestUsers.Hamlet.Email}\nkey={TestUsers.Hamlet.ApiKey}\nsite={Http}\n");

        var result = Session.Run("Import-ZulipRc -Path $args[0] | Test-ZulipApiKey", rc);

        Assert.True(SingleBool(result));
        Assert.Equal(TestUsers.Hamlet.Email, Assert.Single(Server.Requests).BasicAuthUser);
        result.AssertNoSecret(TestUsers.Hamlet.ApiKey);
    }

    [Fact]
    public void AGoodKeyGivenAsServerAndCredentialIsTrue()
    {
        var result = TestWith(Http, TestUsers.Othello.Email, TestUsers.Othello.ApiKey);

        Assert.True(SingleBool(result));
        Assert.Contains(result.Verbose, v => v.Contains(TestUsers.Othello.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        result.AssertNoSecret(TestUsers.Othello.ApiKey);
    }

    [Fact]
    public void ServerAndCredentialBindByPropertyNameAndAKeyObjectPositionally()
    {
        var result = Session.RunWith(
            "param($S, $C, $K) [pscustomobject]@{ Site = $S; Credential = $C } | Test-ZulipApiKey; Test-ZulipApiKey $K",
            new Hashtable
            {
                ["S"] = Http,
                ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.ApiKey),
                ["K"] = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C",
                    new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password) }).Output.Single(),
            });

        Assert.Empty(result.Errors);
        Assert.Equal(new object[] { true, true }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void AUserNameAloneAsCredentialPromptsForTheApiKeyNotAPassword()
    {
        var host = new RecordingHost(Cred("typed-by-the-user", TestUsers.Iago.ApiKey));
        using var session = new PsSession(host);

        var result = session.Run("Test-ZulipApiKey -Server $args[0] -Credential iago@zulip.com", Http);

        Assert.True(SingleBool(result));
        var prompt = Assert.Single(host.CredentialPrompts);
        Assert.Equal(TestUsers.Iago.Email, prompt.UserName);
        Assert.Contains("API key", prompt.Message);
        Assert.Contains($"{TestUsers.Iago.Email} on {new Uri(Http).Authority}", prompt.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("password", prompt.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestUsers.Iago.ApiKey, host.Written);
    }

    [Fact]
    public void ARevokedKeyIsFalseWithTheServersReasonInAVerboseLine()
    {
        var key = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) }).Output.Single();
        Assert.True(SingleBool(Session.Run("$args[0] | Test-ZulipApiKey", key)));

        Behaviour.RevokeApiKey(TestUsers.Iago.Email);
        var result = Session.Run("$args[0] | Test-ZulipApiKey", key);

        Assert.False(SingleBool(result));
        Assert.Contains(result.Verbose, v => v.Contains("Invalid API key", StringComparison.Ordinal));
        Assert.Empty(result.Warnings);
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Theory]
    [InlineData("deactivated user", "Account is deactivated")]
    [InlineData("deactivated organization", "This organization has been deactivated")]
    [InlineData("malformed key", "Malformed API key")]
    [InlineData("another user's key", "Invalid API key")]
    [InlineData("old server without code", "Invalid API key")]
    public void AKeyTheServerRejectsIsFalseWithItsReason(string name, string reason)
    {
        var email = TestUsers.Iago.Email;
        var key = TestUsers.Iago.ApiKey;
        switch (name)
        {
            case "deactivated user":
                Behaviour.SetUserActive(email, false);
                break;
            case "deactivated organization":
                Behaviour.RealmDeactivated = true;
                break;
            case "malformed key":
                key = "not-a-zulip-key";
                break;
            case "another user's key":
                key = TestUsers.Hamlet.ApiKey;
                break;
            case "old server without code":
                Behaviour.OldServer = true;
                key = "Revoked".PadRight(32, '0');
                break;
        }

        var result = TestWith(Http, email, key);

        Assert.False(SingleBool(result));
        Assert.Contains(result.Verbose, v => v.Contains(reason, StringComparison.Ordinal));
        result.AssertNoSecret(key);
    }

    public static IEnumerable<object[]> AnswersThatSayNothingAboutTheKey() =>
    [
        ["502 HTML", FaultKind.Html502, "ZulipServerError", ErrorCategory.ResourceUnavailable],
        ["500 Zulip JSON", FaultKind.Json500, "ZulipServerError", ErrorCategory.ResourceUnavailable],
        ["503 with Retry-After", FaultKind.Status503, "ZulipServerError", ErrorCategory.ResourceUnavailable],
        ["200 HTML page", FaultKind.Html200, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult],
        ["404 HTML page", FaultKind.NotFoundHtml, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult],
        ["JSON of another shape", FaultKind.OtherJsonShape, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult],
        ["truncated JSON", FaultKind.TruncatedJson, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult],
        ["429 rate limited", FaultKind.RateLimited, "ZulipRateLimited", ErrorCategory.LimitsExceeded],
        ["redirect to https", FaultKind.RedirectToHttps, "ZulipRedirected", ErrorCategory.InvalidOperation],
        ["connection reset", FaultKind.ResetConnection, "ZulipConnectionFailed", ErrorCategory.ConnectionError],
    ];

    [Theory]
    [MemberData(nameof(AnswersThatSayNothingAboutTheKey))]
    public void AnAnswerThatSaysNothingAboutTheKeyIsAnErrorNotFalse(string name, FaultKind fault, string errorId, ErrorCategory category)
    {
        Behaviour.InjectFault(fault, UsersMe);

        var result = TestWith(Http, TestUsers.Iago.Email, TestUsers.Iago.ApiKey);

        var error = result.SingleError();
        AssertError(error, errorId, category);
        Assert.True(result.Output.Count == 0, $"{name}: no verdict may be given");
        Assert.Equal(new Uri(Http + "/"), error.TargetObject);
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
        // A redirected request that carries the key is never re-sent.
        Assert.Equal(1, Server.CountRequests(UsersMe));
    }

    [Fact]
    public void AnUnreachableServerIsAnErrorNotFalse()
    {
        var result = TestWith($"http://127.0.0.1:{UnusedPort()}", TestUsers.Iago.Email, TestUsers.Iago.ApiKey);

        AssertError(result.SingleError(), "ZulipConnectionFailed", ErrorCategory.ConnectionError);
        Assert.Empty(result.Output);
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void AnUntrustedCertificateIsAnErrorAndSkipCertificateCheckGetsAVerdict()
    {
        var refused = TestWith(Https, TestUsers.Iago.Email, TestUsers.Iago.ApiKey);
        var skipped = TestWith(Https, TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-SkipCertificateCheck");

        AssertError(refused.SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
        Assert.True(SingleBool(skipped));
        Assert.Contains(skipped.Warnings, w => w.Contains("SkipCertificateCheck", StringComparison.Ordinal));
    }

    [Fact]
    public void KeysFromThePipelineGiveOneVerdictOrOneErrorEachAndTheScriptGoesOn()
    {
        var iago = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) }).Output.Single();
        var hamlet = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password) }).Output.Single();
        Behaviour.RevokeApiKey(TestUsers.Hamlet.Email);
        var unreachable = Session.Run("Import-ZulipRc -Path $args[0]", WriteRc(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, $"http://127.0.0.1:{UnusedPort()}")).Output.Single();

        var result = Session.Run("$args[0], $args[1], $args[2] | Test-ZulipApiKey -TimeoutSec 5; 'script went on'", iago, unreachable, hamlet);

        Assert.Null(result.Terminating);
        Assert.Equal(new object[] { true, false, "script went on" }, result.Output.Select(o => o.BaseObject));
        AssertError(Assert.Single(result.Errors), "ZulipConnectionFailed", ErrorCategory.ConnectionError);
        result.AssertNoSecret(TestUsers.Iago.ApiKey, TestUsers.Hamlet.ApiKey);
    }

    [Fact]
    public async Task PlainHttpToARemoteHostNeedsAllowUnencryptedAuthenticationAndOtherwiseSendsNothing()
    {
        // The proxy only forwards to loopback: it refuses zulip.invalid with 403, and counts that it was asked.
        await using var proxy = new LoopbackConnectProxy();

        var refused = TestWith("http://zulip.invalid", TestUsers.Iago.Email, CanaryKey, $"-Proxy {proxy.Uri}");
        Assert.Equal(0, proxy.RefusedCount + proxy.RequestCount);
        var allowed = TestWith("http://zulip.invalid", TestUsers.Iago.Email, CanaryKey, $"-Proxy {proxy.Uri} -AllowUnencryptedAuthentication");

        var error = refused.SingleError();
        AssertError(error, "ZulipUnencryptedAuthentication", ErrorCategory.SecurityError);
        Assert.Contains("-AllowUnencryptedAuthentication", error.Exception.Message);
        Assert.Contains("Nothing was sent", error.Exception.Message);
        Assert.Equal(new Uri("http://zulip.invalid/"), error.TargetObject);
        Assert.Empty(refused.Verbose);
        refused.AssertNoSecret(CanaryKey);

        Assert.Equal(1, proxy.RefusedCount);
        Assert.DoesNotContain("ZulipUnencryptedAuthentication", allowed.SingleError().FullyQualifiedErrorId);
        allowed.AssertNoSecret(CanaryKey);
    }

    [Fact]
    public void PlainHttpToLoopbackNeedsNoSwitch()
    {
        Assert.True(SingleBool(TestWith($"http://localhost:{Server.HttpPort}", TestUsers.Iago.Email, TestUsers.Iago.ApiKey)));
    }

    [Fact]
    public void AnUnusableServerIsRefusedBeforeAnythingIsSent()
    {
        var result = TestWith("zulip://chat.example.com", TestUsers.Iago.Email, CanaryKey);

        AssertError(result.SingleError(), "ZulipInvalidServer", ErrorCategory.InvalidArgument);
        Assert.Empty(Server.Requests);
        result.AssertNoSecret(CanaryKey);
    }

    [Fact]
    public void DeclaresBoolAndTheDetailedResultAsItsOutput()
    {
        var result = Session.Run("(Get-Command Test-ZulipApiKey).OutputType.Type.FullName");

        // [bool] by default; -Detailed emits the result object instead.
        Assert.Equal(new[] { "System.Boolean", "ZulipAuth.ZulipApiKeyTestResult" }, result.Output.Select(o => o.ToString()));
    }

    /// <summary>A well-formed key that no server knows, to find in any stream it should not reach.</summary>
    private const string CanaryKey = "CanaryKey7f3aXXXXXXXXXXXXXXXXXXX";

    private string WriteRc(string email, string key, string site)
    {
        var path = Path.Combine(Path.GetTempPath(), "zulipauth-moduletests-" + Guid.NewGuid().ToString("N") + ".zuliprc");
        FileSystemProbe.WriteRc(path, $"[api]\nemail={email}\nkey={key}\nsite={site}\n");
        rcFiles.Add(path);
        return path;
    }

    private readonly List<string> rcFiles = new();

    public override async Task DisposeAsync()
    {
        foreach (var file in rcFiles)
        {
            File.Delete(file);
        }

        await base.DisposeAsync();
    }
}
