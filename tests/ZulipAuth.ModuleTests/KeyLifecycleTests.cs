using System.Collections;
using System.Management.Automation;
using System.Security;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Rotation (Reset-ZulipApiKey), bot keys (Get-/Reset-ZulipBotApiKey), JWT login and Test-ZulipApiKey -Detailed
/// against the local server, which answers as key-lifecycle-and-web-login.md describes.
/// </summary>
public class KeyLifecycleTests : ModuleTestBase
{
    private const string Regenerate = "/api/v1/users/me/api_key/regenerate";
    private const string JwtSecret = "jwt-test-secret-5d1c";

    private int Rotations => Server.CountRequests(Regenerate, "POST");

    private PSObject KeyOf(string email, string password) =>
        GetKey(Http, Cred(email, password)).Output.Single();

    private PsResult Reset(PSObject key, string extra = "") =>
        Session.Run($"$args[0] | Reset-ZulipApiKey -Confirm:$false {extra}", key);

    private static string Plain(object secure) => new System.Net.NetworkCredential(string.Empty, (SecureString)secure).Password;

    private static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text)
            s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    // ---------------------------------------------------------------------------------------------------
    // Reset-ZulipApiKey

    [Fact]
    public void AfterResetTheOldKeyFailsAndTheNewOneWorks()
    {
        var key = KeyOf(TestUsers.Iago.Email, TestUsers.Iago.Password);

        var result = Reset(key);

        Assert.Empty(result.Errors);
        var rotated = Assert.Single(result.Output);
        Assert.Equal(TestUsers.Iago.Email, rotated.Properties["Email"].Value);
        Assert.Equal(TestUsers.Iago.UserId, rotated.Properties["UserId"].Value);
        var newKey = Plain(rotated.Properties["ApiKey"].Value);
        Assert.NotEqual(TestUsers.Iago.ApiKey, newKey);
        Assert.Equal(Behaviour.CurrentApiKey(TestUsers.Iago.Email), newKey);
        Assert.Equal(new object[] { false }, Session.Run("$args[0] | Test-ZulipApiKey", key).Output.Select(o => o.BaseObject));
        Assert.Equal(new object[] { true }, Session.Run("$args[0] | Test-ZulipApiKey", rotated).Output.Select(o => o.BaseObject));
        result.AssertNoSecret(TestUsers.Iago.ApiKey, newKey);
    }

    [Fact]
    public void WhatIfSendsNothing()
    {
        var key = KeyOf(TestUsers.Iago.Email, TestUsers.Iago.Password);
        Server.ClearRequests();

        var result = Session.Run("$args[0] | Reset-ZulipApiKey -WhatIf", key);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Empty(Server.Requests);
        Assert.Equal(TestUsers.Iago.ApiKey, Behaviour.CurrentApiKey(TestUsers.Iago.Email));
    }

    [Fact]
    public void TheConfirmationSaysWhatBreaks()
    {
        var host = new RecordingHost(Cred("unused", "unused"));
        using var session = new PsSession(host);
        var result = session.RunWith("param($S, $C) Reset-ZulipApiKey -Server $S -Credential $C -WhatIf",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey) });

        Assert.Empty(result.Errors);
        Assert.Contains("stops working at once", host.Written);
        Assert.Contains("mobile devices are logged out", host.Written);
        Assert.DoesNotContain(TestUsers.Hamlet.ApiKey, host.Written);
        Assert.Equal(0, Rotations);
    }

    [Theory]
    [InlineData(FaultKind.Html502)]
    [InlineData(FaultKind.Status503)]
    [InlineData(FaultKind.ResetConnection)]
    public void ARotationIsPostedOnceWhateverTheRetrySettings(FaultKind fault)
    {
        var key = KeyOf(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password);
        Behaviour.InjectFault(fault, Regenerate, 1, "POST");

        var result = Reset(key, "-MaximumRetryCount 3 -RetryIntervalSec 1");

        Assert.Equal(1, Rotations);
        Assert.Empty(result.Output);
        Assert.Single(result.Errors);
        Assert.Contains(result.Verbose, v => v.Contains("not retrying, because the request carries a password or changes a key", StringComparison.Ordinal));
        result.AssertNoSecret(TestUsers.Hamlet.ApiKey);
    }

    [Fact]
    public void ARotationRefusedByZulipsRateLimitIsRetriedSinceItNeverRan()
    {
        var key = KeyOf(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password);
        Behaviour.InjectFault(FaultKind.RateLimited, Regenerate, 1, "POST");

        var result = Reset(key, "-MaximumRetryCount 1 -RetryIntervalSec 1");

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.Equal(2, Rotations);
    }

    [Fact]
    public void TheZulipRcUpdateReplacesOnlyTheKey()
    {
        using var dir = new TempDirectory();
        var rc = dir.File("zuliprc");
        var before = $"# written by hand\n[api]\nemail={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={Http}\ninsecure=false\n\n[zterm]\ntheme=gruvbox\nkey_bindings=vim\n";
        FileSystemProbe.WriteRc(rc, before);

        var result = Session.Run("Import-ZulipRc -Path $args[0] | Reset-ZulipApiKey -ZulipRcPath $args[0] -Confirm:$false", rc);

        Assert.Empty(result.Errors);
        var newKey = Plain(Assert.Single(result.Output).Properties["ApiKey"].Value);
        Assert.Equal(before.Replace("key=" + TestUsers.Iago.ApiKey, "key=" + newKey, StringComparison.Ordinal), File.ReadAllText(rc));
        if (!OperatingSystem.IsWindows())
            Assert.Equal("600", FileSystemProbe.Mode(rc));
        result.AssertNoSecret(TestUsers.Iago.ApiKey, newKey);
    }

    [Fact]
    public void AZulipRcOfAnotherAccountIsRefusedBeforeTheKeyChanges()
    {
        using var dir = new TempDirectory();
        var rc = dir.File("zuliprc");
        var text = $"[api]\nemail={TestUsers.Hamlet.Email}\nkey={TestUsers.Hamlet.ApiKey}\nsite={Http}\n";
        FileSystemProbe.WriteRc(rc, text);
        var key = KeyOf(TestUsers.Iago.Email, TestUsers.Iago.Password);

        var result = Reset(key, "-ZulipRcPath $args[1]".Replace("$args[1]", "'" + rc + "'"));

        AssertError(result.SingleError(), "ZulipConfigInvalid", ErrorCategory.InvalidData);
        Assert.Equal(0, Rotations);
        Assert.Equal(text, File.ReadAllText(rc));
    }

    [Fact]
    public void AFileThatFailsAfterTheRotationSaysSoAndTheNewKeyIsStillEmitted()
    {
        using var dir = new TempDirectory();
        var rc = dir.File("zuliprc");
        FileSystemProbe.WriteRc(rc, $"[api]\nemail={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={Http}\n");
        var key = KeyOf(TestUsers.Iago.Email, TestUsers.Iago.Password);
        // The file passes the check made before sending, then vanishes while the server is answering (tests run
        // as root here, so a read-only folder would not stop the write).
        Behaviour.FaultDelay = TimeSpan.FromSeconds(1);
        Behaviour.InjectFault(FaultKind.Delay, Regenerate, 1, "POST");

        var (shell, pending) = Session.Begin("param($K, $P) $K | Reset-ZulipApiKey -ZulipRcPath $P -Confirm:$false", new Hashtable { ["K"] = key, ["P"] = rc });
        using (shell)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Rotations == 0 && DateTime.UtcNow < deadline)
                Thread.Sleep(10);
            File.Delete(rc);
            var output = shell.EndInvoke(pending);

            var error = Assert.Single(shell.Streams.Error);
            AssertError(error, "ZulipRotatedButNotSaved", ErrorCategory.WriteError);
            Assert.Contains("WAS regenerated", error.ToString());
            var newKey = Plain(Assert.Single(output).Properties["ApiKey"].Value);
            Assert.Equal(Behaviour.CurrentApiKey(TestUsers.Iago.Email), newKey);
            Assert.Equal(1, Rotations);
            Assert.DoesNotContain(newKey, error.ToString());
            Assert.DoesNotContain(TestUsers.Iago.ApiKey, error.ToString());
        }
    }

    [Fact]
    public void AnIncomingWebhookBotCannotRotateItsOwnKey()
    {
        var result = Session.RunWith("param($S, $C) Reset-ZulipApiKey -Server $S -Credential $C -Confirm:$false",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.WebhookBot.Email, TestUsers.WebhookBot.ApiKey) });

        var error = result.SingleError();
        AssertError(error, "ZulipBotCallerNotAllowed", ErrorCategory.PermissionDenied);
        Assert.Contains("incoming webhook bots", error.ToString());
        Assert.Equal(TestUsers.WebhookBot.ApiKey, Behaviour.CurrentApiKey(TestUsers.WebhookBot.Email));
    }

    [Fact]
    public void AGenericBotMayRotateItsOwnKey()
    {
        var result = Session.RunWith("param($S, $C) Reset-ZulipApiKey -Server $S -Credential $C -Confirm:$false",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.GenericBot.Email, TestUsers.GenericBot.ApiKey) });

        Assert.Empty(result.Errors);
        Assert.Equal(Behaviour.CurrentApiKey(TestUsers.GenericBot.Email), Plain(Assert.Single(result.Output).Properties["ApiKey"].Value));
    }

    [Theory]
    [InlineData("Invalid API key", "ZulipInvalidApiKey", ErrorCategory.AuthenticationError)]
    [InlineData("Account is deactivated", "ZulipUserDeactivated", ErrorCategory.PermissionDenied)]
    [InlineData("This organization has been deactivated", "ZulipRealmDeactivated", ErrorCategory.PermissionDenied)]
    public void ARejectedCurrentKeyMapsToTheErrorIdsTestZulipApiKeyUses(string msg, string errorId, ErrorCategory category)
    {
        var key = TestUsers.Hamlet.ApiKey;
        if (msg == "Invalid API key")
            Behaviour.RevokeApiKey(TestUsers.Hamlet.Email);
        else if (msg == "Account is deactivated")
            Behaviour.SetUserActive(TestUsers.Hamlet.Email, false);
        else
            Behaviour.RealmDeactivated = true;

        var result = Session.RunWith("param($S, $C) Reset-ZulipApiKey -Server $S -Credential $C -Confirm:$false",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Hamlet.Email, key) });

        var error = result.SingleError();
        AssertError(error, errorId, category);
        Assert.Contains(msg, error.ToString());
        result.AssertNoSecret(key);
    }

    // ---------------------------------------------------------------------------------------------------
    // Bots

    private PsResult BotCommand(string command, string email, string key, string bot) =>
        Session.RunWith($"param($S, $C) {command} -Server $S -Credential $C {bot} -Confirm:$false".Replace(" -Confirm:$false", command.StartsWith("Reset", StringComparison.Ordinal) ? " -Confirm:$false" : string.Empty, StringComparison.Ordinal),
            new Hashtable { ["S"] = Http, ["C"] = Cred(email, key) });

    [Theory]
    [InlineData(470)]
    [InlineData(400)]
    public void TheOwnerGetsTheBotsKeyAsTheBotsIdentity(int featureLevel)
    {
        Behaviour.FeatureLevel = featureLevel;

        var result = BotCommand("Get-ZulipBotApiKey", TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey, "-BotEmail " + TestUsers.GenericBot.Email);

        Assert.Empty(result.Errors);
        var bot = Assert.Single(result.Output);
        Assert.Equal(TestUsers.GenericBot.Email, bot.Properties["Email"].Value);
        Assert.Equal(TestUsers.GenericBot.UserId, bot.Properties["UserId"].Value);
        Assert.Equal(TestUsers.GenericBot.ApiKey, Plain(bot.Properties["ApiKey"].Value));
        Assert.Equal(featureLevel >= 463 ? 1 : 0, Server.CountRequests($"/api/v1/bots/{TestUsers.GenericBot.UserId}/api_key", "GET"));
        Assert.Equal(featureLevel >= 463 ? 0 : 1, Server.CountRequests("/api/v1/bots", "GET"));
        result.AssertNoSecret(TestUsers.Hamlet.ApiKey, TestUsers.GenericBot.ApiKey);
    }

    [Fact]
    public void BeforeFeatureLevel463AnAdministratorCannotReadAnotherOwnersBotAndIsToldToRegenerate()
    {
        Behaviour.FeatureLevel = 400;

        var result = BotCommand("Get-ZulipBotApiKey", TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotId " + TestUsers.GenericBot.UserId);

        var error = result.SingleError();
        AssertError(error, "ZulipBotKeyOwnerOnly", ErrorCategory.PermissionDenied);
        Assert.Contains("only a bot's owner", error.ToString());
        Assert.Contains("Reset-ZulipBotApiKey", error.ToString());
    }

    [Fact]
    public void AnAdministratorReadsAnyBotsKeyFromFeatureLevel463()
    {
        Behaviour.FeatureLevel = 470;

        var result = BotCommand("Get-ZulipBotApiKey", TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotId " + TestUsers.GenericBot.UserId);

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.GenericBot.ApiKey, Plain(Assert.Single(result.Output).Properties["ApiKey"].Value));
    }

    [Fact]
    public void ThePipelineGoesOnPastABadBotId()
    {
        Behaviour.FeatureLevel = 470;
        var admin = KeyOf(TestUsers.Iago.Email, TestUsers.Iago.Password);

        var result = Session.Run("$args[1] | Get-ZulipBotApiKey -InputObject $args[0]", admin,
            new object[] { TestUsers.GenericBot.UserId, 999, TestUsers.EmbeddedBot.UserId });

        Assert.Null(result.Terminating);
        Assert.True(result.Errors.Count == 1, string.Join(" | ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        AssertError(Assert.Single(result.Errors), "ZulipNoSuchBot", ErrorCategory.ObjectNotFound);
        Assert.Equal(new[] { TestUsers.GenericBot.Email, TestUsers.EmbeddedBot.Email }, result.Output.Select(o => (string)o.Properties["Email"].Value));
    }

    [Fact]
    public void AnOutgoingWebhookBotCarriesItsServiceTokenIntoTheZulipRc()
    {
        using var dir = new TempDirectory();
        var rc = dir.File("bot.zuliprc");

        var result = Session.RunWith("param($S, $C, $P) Get-ZulipBotApiKey -Server $S -Credential $C -BotId 42 | Export-ZulipRc -Path $P",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey), ["P"] = rc });

        Assert.Empty(result.Errors);
        Assert.Equal($"[api]\nemail={TestUsers.OutgoingBot.Email}\nkey={TestUsers.OutgoingBot.ApiKey}\nsite={Http}\ntoken={TestUsers.OutgoingBot.ServiceToken}\n", File.ReadAllText(rc));
        result.AssertNoSecret(TestUsers.Hamlet.ApiKey, TestUsers.OutgoingBot.ApiKey, TestUsers.OutgoingBot.ServiceToken);
    }

    [Theory]
    [InlineData(TestUsers.Polonius.Email, TestUsers.Polonius.ApiKey, "-BotId 40", "ZulipGuestNotAllowed", ErrorCategory.PermissionDenied)]
    [InlineData(TestUsers.GenericBot.Email, TestUsers.GenericBot.ApiKey, "-BotId 40", "ZulipBotCallerNotAllowed", ErrorCategory.PermissionDenied)]
    [InlineData(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotId 999", "ZulipNoSuchBot", ErrorCategory.ObjectNotFound)]
    [InlineData(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey, "-BotId 41", "ZulipInsufficientPermission", ErrorCategory.PermissionDenied)]
    [InlineData(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotId 44", "ZulipOwnerRequired", ErrorCategory.PermissionDenied)]
    [InlineData(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotEmail hamlet@zulip.com", "ZulipNotABot", ErrorCategory.InvalidArgument)]
    [InlineData(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotEmail nobody@zulip.com", "ZulipNoSuchUser", ErrorCategory.ObjectNotFound)]
    [InlineData(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, "-BotId 40 -BotEmail generic-bot@zulip.com", "ZulipConflictingParameters", ErrorCategory.InvalidArgument)]
    public void EveryRefusalOfABotRotationHasItsOwnErrorId(string email, string key, string bot, string errorId, ErrorCategory category)
    {
        var result = BotCommand("Reset-ZulipBotApiKey", email, key, bot);

        AssertError(result.SingleError(), errorId, category);
        Assert.Empty(result.Output);
        Assert.Equal(TestUsers.GenericBot.ApiKey, Behaviour.CurrentApiKey(TestUsers.GenericBot.Email));
        result.AssertNoSecret(key);
    }

    [Fact]
    public void AnOwnerRotatesABotThatCanCreateUsersAndTheOldBotKeyFails()
    {
        var result = BotCommand("Reset-ZulipBotApiKey", TestUsers.Desdemona.Email, TestUsers.Desdemona.ApiKey, "-BotId 44");

        Assert.Empty(result.Errors);
        var rotated = Assert.Single(result.Output);
        var newKey = Plain(rotated.Properties["ApiKey"].Value);
        Assert.Equal(Behaviour.CurrentApiKey(TestUsers.ProvisionerBot.Email), newKey);
        Assert.Equal(TestUsers.ProvisionerBot.Email, rotated.Properties["Email"].Value);
        Assert.Equal(new object[] { false }, Session.RunWith("param($S, $C) Test-ZulipApiKey -Server $S -Credential $C",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.ProvisionerBot.Email, TestUsers.ProvisionerBot.ApiKey) }).Output.Select(o => o.BaseObject));
        result.AssertNoSecret(TestUsers.Desdemona.ApiKey, TestUsers.ProvisionerBot.ApiKey, newKey);
    }

    [Fact]
    public void ABotRotationIsPostedOnceDespiteRetries()
    {
        Behaviour.InjectFault(FaultKind.Html502, "/api/v1/bots/40/api_key/regenerate", 1, "POST");

        var result = Session.RunWith("param($S, $C) Reset-ZulipBotApiKey -Server $S -Credential $C -BotId 40 -Confirm:$false -MaximumRetryCount 3 -RetryIntervalSec 1",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey) });

        Assert.Single(result.Errors);
        Assert.Equal(1, Server.CountRequests("/api/v1/bots/40/api_key/regenerate", "POST"));
    }

    // ---------------------------------------------------------------------------------------------------
    // JWT

    private PsResult Jwt(string token, string extra = "") =>
        Session.RunWith($"param($S, $T) Get-ZulipApiKey -Server $S -JsonWebToken $T {extra}",
            new Hashtable { ["S"] = Http, ["T"] = Secure(token) });

    [Fact]
    public void AJsonWebTokenGivesTheKeyWithTheUserIdFromTheProfile()
    {
        Behaviour.JwtSecret = JwtSecret;
        var token = TestJwt.Create(JwtSecret, TestUsers.Hamlet.Email, DateTimeOffset.UtcNow.AddMinutes(5));

        var result = Jwt(token);

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(TestUsers.Hamlet.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Hamlet.UserId, key.Properties["UserId"].Value);
        Assert.Equal(TestUsers.Hamlet.ApiKey, Plain(key.Properties["ApiKey"].Value));
        var post = Assert.Single(Server.Requests, r => r.Path == "/api/v1/jwt/fetch_api_key");
        Assert.Equal(new[] { "token", "include_profile" }, post.FormKeys);
        Assert.Equal(0, Server.CountRequests("/api/v1/users/me"));
        result.AssertNoSecret(token, TestUsers.Hamlet.ApiKey);
    }

    public static TheoryData<string, string, ErrorCategory> JwtFailures => new()
    {
        { "expired", "ZulipJwtInvalid", ErrorCategory.AuthenticationError },
        { "wrong signature", "ZulipJwtInvalid", ErrorCategory.AuthenticationError },
        { "no email", "ZulipJwtNoEmail", ErrorCategory.InvalidData },
        { "unknown user", "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError },
        { "other realm", "ZulipInvalidSubdomain", ErrorCategory.ObjectNotFound },
        { "deactivated user", "ZulipUserDeactivated", ErrorCategory.PermissionDenied },
        { "deactivated organization", "ZulipRealmDeactivated", ErrorCategory.PermissionDenied },
        { "not enabled", "ZulipJwtNotEnabled", ErrorCategory.NotEnabled },
    };

    [Theory]
    [MemberData(nameof(JwtFailures))]
    public void EveryJwtRefusalHasItsErrorIdAndTheTokenNeverLeaks(string why, string errorId, ErrorCategory category)
    {
        Behaviour.JwtSecret = why == "not enabled" ? null : JwtSecret;
        var soon = DateTimeOffset.UtcNow.AddMinutes(5);
        var token = why switch
        {
            "expired" => TestJwt.Create(JwtSecret, TestUsers.Hamlet.Email, DateTimeOffset.UtcNow.AddMinutes(-5)),
            "wrong signature" => TestJwt.Create("another-secret", TestUsers.Hamlet.Email, soon),
            "no email" => TestJwt.Create(JwtSecret, null, soon),
            "unknown user" => TestJwt.Create(JwtSecret, "nobody@zulip.com", soon),
            "other realm" => TestJwt.Create(JwtSecret, TestUsers.King.Email, soon),
            "deactivated user" => TestJwt.Create(JwtSecret, TestUsers.Deactivated.Email, soon),
            _ => TestJwt.Create(JwtSecret, TestUsers.Hamlet.Email, soon),
        };
        Behaviour.RealmDeactivated = why == "deactivated organization";

        var result = Jwt(token);

        AssertError(result.SingleError(), errorId, category);
        Assert.Empty(result.Output);
        result.AssertNoSecret(token);
    }

    [Fact]
    public void BeforeFeatureLevel160TheTokenIsNotSent()
    {
        Behaviour.JwtSecret = JwtSecret;
        Behaviour.FeatureLevel = 150;
        var token = TestJwt.Create(JwtSecret, TestUsers.Hamlet.Email);

        var result = Jwt(token);

        var error = result.SingleError();
        AssertError(error, "ZulipFeatureUnsupported", ErrorCategory.NotImplemented);
        Assert.Contains("feature level 160", error.ToString());
        Assert.Equal(0, Server.CountRequests("/api/v1/jwt/fetch_api_key"));
        result.AssertNoSecret(token);
    }

    [Fact]
    public void ATokenForARemotePlainHttpServerIsNotSent()
    {
        var result = Session.RunWith("param($T) Get-ZulipApiKey -Server http://zulip.example.invalid -JsonWebToken $T",
            new Hashtable { ["T"] = Secure("a.b.c") });

        var error = result.SingleError();
        AssertError(error, "ZulipUnencryptedAuthentication", ErrorCategory.SecurityError);
        Assert.Contains("the token", error.ToString());
    }

    // ---------------------------------------------------------------------------------------------------
    // Test-ZulipApiKey -Detailed

    [Fact]
    public void DetailedDescribesAValidKeyFromAFile()
    {
        using var dir = new TempDirectory();
        var rc = dir.File("zuliprc");
        FileSystemProbe.WriteRc(rc, $"[api]\nemail={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={Http}\n");

        var result = Session.Run("Import-ZulipRc -Path $args[0] | Test-ZulipApiKey -Detailed", rc);

        Assert.Empty(result.Errors);
        var r = Assert.Single(result.Output);
        Assert.Equal("ZulipAuth.ZulipApiKeyTestResult", r.BaseObject.GetType().FullName);
        Assert.Equal(true, r.Properties["Valid"].Value);
        Assert.Null(r.Properties["Reason"].Value);
        Assert.Equal(TestUsers.Iago.Email, r.Properties["Email"].Value);
        Assert.Equal(TestUsers.Iago.Email, r.Properties["DeliveryEmail"].Value);
        Assert.Equal(TestUsers.Iago.UserId, r.Properties["UserId"].Value);
        Assert.Equal(false, r.Properties["IsBot"].Value);
        Assert.Equal("Administrator", r.Properties["Role"].Value);
        Assert.Equal(Behaviour.ZulipVersion, r.Properties["ZulipVersion"].Value);
        Assert.Equal(Behaviour.FeatureLevel, r.Properties["ZulipFeatureLevel"].Value);
        Assert.Equal("File", r.Properties["Source"].Value);
        Assert.Equal(rc, r.Properties["SourcePath"].Value);
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void DetailedAgreesWithTheBoolFormOnAnIncomingWebhookBotsKey()
    {
        var result = Session.RunWith("param($S, $C) Test-ZulipApiKey -Server $S -Credential $C; Test-ZulipApiKey -Server $S -Credential $C -Detailed",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.WebhookBot.Email, TestUsers.WebhookBot.ApiKey) });

        Assert.Empty(result.Errors);
        Assert.Equal(false, result.Output[0].BaseObject);
        Assert.Equal(false, result.Output[1].Properties["Valid"].Value);
        Assert.Equal("This API is not available to incoming webhook bots.", result.Output[1].Properties["Reason"].Value);
    }

    [Fact]
    public void DetailedGivesTheServersReasonForARejectedKeyAndMarksBots()
    {
        Behaviour.RevokeApiKey(TestUsers.Hamlet.Email);

        var result = Session.RunWith("param($S, $A, $B) Test-ZulipApiKey -Server $S -Credential $A -Detailed; Test-ZulipApiKey -Server $S -Credential $B -Detailed",
            new Hashtable { ["S"] = Http, ["A"] = Cred(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey), ["B"] = Cred(TestUsers.GenericBot.Email, TestUsers.GenericBot.ApiKey) });

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Output.Count);
        Assert.Equal(false, result.Output[0].Properties["Valid"].Value);
        Assert.Equal("Invalid API key", result.Output[0].Properties["Reason"].Value);
        Assert.Equal("Credential", result.Output[0].Properties["Source"].Value);
        Assert.Equal(true, result.Output[1].Properties["Valid"].Value);
        Assert.Equal(true, result.Output[1].Properties["IsBot"].Value);
    }

    // ---------------------------------------------------------------------------------------------------
    // Secrets scan

    [Fact]
    public void NoKeyTokenOrJwtReachesAnyStreamOnSuccessOrFailure()
    {
        Behaviour.JwtSecret = JwtSecret;
        Behaviour.FeatureLevel = 470;
        var jwt = TestJwt.Create(JwtSecret, TestUsers.Hamlet.Email, DateTimeOffset.UtcNow.AddMinutes(5));
        var badJwt = TestJwt.Create("wrong", TestUsers.Hamlet.Email, DateTimeOffset.UtcNow.AddMinutes(5));
        Behaviour.InjectFault(FaultKind.Html502, "/api/v1/bots/43/api_key/regenerate", 1, "POST");
        using var dir = new TempDirectory();
        var rc = dir.File("zuliprc");
        FileSystemProbe.WriteRc(rc, $"[api]\nemail={TestUsers.Hamlet.Email}\nkey={TestUsers.Hamlet.ApiKey}\nsite={Http}\n[zterm]\ntheme=x\n");

        var result = Session.RunWith("""
            param($S, $Jwt, $BadJwt, $Iago, $Bot, $Rc)
            $hamlet = Get-ZulipApiKey -Server $S -JsonWebToken $Jwt -Debug
            Get-ZulipApiKey -Server $S -JsonWebToken $BadJwt -Debug
            $hamlet | Test-ZulipApiKey -Detailed
            $new = $hamlet | Reset-ZulipApiKey -ZulipRcPath $Rc -Confirm:$false -MaximumRetryCount 2 -RetryIntervalSec 1 -Debug
            $hamlet | Reset-ZulipApiKey -Confirm:$false
            $hamlet | Test-ZulipApiKey -Detailed
            $new | Get-ZulipBotApiKey -BotId 42 -Debug
            $new | Get-ZulipBotApiKey -BotId 41
            Reset-ZulipBotApiKey -Server $S -Credential $Iago -BotId 43 -Confirm:$false -MaximumRetryCount 2 -RetryIntervalSec 1
            Reset-ZulipBotApiKey -Server $S -Credential $Iago -BotId 40 -Confirm:$false
            Reset-ZulipBotApiKey -Server $S -Credential $Bot -BotId 40 -Confirm:$false
            """,
            new Hashtable
            {
                ["S"] = Http, ["Jwt"] = Secure(jwt), ["BadJwt"] = Secure(badJwt), ["Rc"] = rc,
                ["Iago"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.ApiKey), ["Bot"] = Cred(TestUsers.GenericBot.Email, TestUsers.GenericBot.ApiKey),
            });

        // Failures on the way: the bad token, the stale key, a bot Hamlet does not own, the 502 and the bot caller.
        Assert.Equal(5, result.Errors.Count);
        Assert.NotEqual(TestUsers.Hamlet.ApiKey, Behaviour.CurrentApiKey(TestUsers.Hamlet.Email));
        Assert.NotEqual(TestUsers.GenericBot.ApiKey, Behaviour.CurrentApiKey(TestUsers.GenericBot.Email));
        result.AssertNoSecret(jwt, badJwt, TestUsers.Hamlet.ApiKey, Behaviour.CurrentApiKey(TestUsers.Hamlet.Email), TestUsers.Iago.ApiKey,
            TestUsers.GenericBot.ApiKey, Behaviour.CurrentApiKey(TestUsers.GenericBot.Email), TestUsers.OutgoingBot.ApiKey, TestUsers.OutgoingBot.ServiceToken,
            TestUsers.WebhookBot.ApiKey, TestUsers.EmbeddedBot.ApiKey);
        Assert.DoesNotContain(Server.Requests, r => r.Query.Contains(jwt, StringComparison.Ordinal));
    }
}
