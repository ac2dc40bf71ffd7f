using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The transport's rules through the cmdlets: a server cannot choose a scheme for the password, broken answers
/// never make the password go out twice, settings read with less trust never steer a verified login, and the
/// framework's own exceptions never end the pipeline.
/// </summary>
public class TransportRulesTests : ModuleTestBase
{
    private static readonly PSCredential Iago = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password);

    private PsResult GetKeyFrom(string server, string extra) =>
        Session.RunWith($"param($Server, $Credential) Get-ZulipApiKey -Server $Server -Credential $Credential {extra}", new Hashtable { ["Server"] = server, ["Credential"] = Iago });

    [Fact]
    public void AWsRealmUrlOverHttpsNeverSendsThePasswordInClear()
    {
        Behaviour.RealmUrlOverride = $"ws://127.0.0.1:{Server.HttpPort}";

        var result = GetKeyFrom(Https, "-SkipCertificateCheck -TimeoutSec 10");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.Contains(result.Warnings, w => w.Contains("ignored", StringComparison.Ordinal));
        var posts = Server.Requests.Where(r => r.Path == "/api/v1/fetch_api_key").ToList();
        Assert.Equal("https", Assert.Single(posts).Scheme);
    }

    [Fact]
    public void SettingsReadWithSkipCertificateCheckDoNotSteerALaterVerifiedCall()
    {
        Behaviour.PasswordAuthEnabled = false;
        var unverified = Session.Run("Get-ZulipServerSettings -Server $args[0] -SkipCertificateCheck", Https);
        Assert.Empty(unverified.Errors);
        Behaviour.PasswordAuthEnabled = true;

        var verified = GetKeyFrom(Https, "-TimeoutSec 10");

        // The verified call asks the server itself, whose test certificate is not trusted: never the cached "password login is off".
        AssertError(verified.SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
    }

    public static IEnumerable<object[]> BrokenAnswers() => new[]
    {
        new object[] { "truncated 200", Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{\"result\":\"success\",\"api_") },
        new object[] { "headers over 64 KiB", Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"X-Padding-{i}: {new string('x', 1000)}\r\n")) + "Content-Length: 2\r\n\r\n{}") },
        new object[] { "invalid status line", Encoding.ASCII.GetBytes("HTTP/1.1 TWO HUNDRED\r\nContent-Length: 2\r\n\r\n{}") },
        new object[] { "401 RATE_LIMIT_HIT", BrokenHttpServer.Http("401 Unauthorized", """{"result":"error","msg":"API usage exceeded rate limit","retry-after":1,"code":"RATE_LIMIT_HIT"}""", "Content-Type: application/json\r\nRetry-After: 1\r\n") },
    };

    [Theory]
    [MemberData(nameof(BrokenAnswers))]
    public async Task APasswordReachesTheServerExactlyOnceWhateverTheRetrySettings(string name, byte[] broken)
    {
        await using var raw = new BrokenHttpServer(line => line.StartsWith("GET /api/v1/server_settings ", StringComparison.Ordinal) ? null : broken);

        var result = GetKeyFrom(raw.Url, "-MaximumRetryCount 3 -RetryIntervalSec 1 -TimeoutSec 10");

        Assert.Null(result.Terminating);
        Assert.StartsWith("Zulip", result.SingleError().FullyQualifiedErrorId);
        Assert.True(1 == raw.Count("POST", "/api/v1/fetch_api_key"), $"{name}: the password went out {raw.Count("POST", "/api/v1/fetch_api_key")} times.");
    }

    [Fact]
    public void AWaitBeforeARetryWritesAboutOneProgressRecordASecond()
    {
        Behaviour.FaultRetryAfterSeconds = 1.0005;
        Behaviour.InjectFault(FaultKind.Status503, "/api/v1/server_settings", count: 2);

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -MaximumRetryCount 2 -RetryIntervalSec 1", Http);

        Assert.Empty(result.Errors);
        var countdown = result.Progress.Count(p => p.RecordType != ProgressRecordType.Completed);
        // Two waits of just over a second: a record when each starts and one as its second ticks over, at most.
        Assert.InRange(countdown, 2, 6);
    }

    [Fact]
    public void ATimeoutLargerThanThePlatformCanTimeMeansNoLimit()
    {
        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -TimeoutSec 2147483647", Http);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
    }

    [Theory]
    [InlineData("file://127.0.0.1/etc/passwd")]
    [InlineData("ftp://127.0.0.1/server_settings")]
    [InlineData("gopher://127.0.0.1/1")]
    [InlineData("ws://127.0.0.1/api/v1/server_settings")]
    public void ARedirectToAnotherSchemeIsRefusedForEachInputAndThePipelineGoesOn(string location)
    {
        Behaviour.FaultLocation = location;
        Behaviour.InjectFault(FaultKind.RedirectToOtherHost, "/api/v1/server_settings");

        var result = Session.Run("$args[0], $args[0], $args[0] | Get-ZulipServerSettings", Http);

        Assert.Null(result.Terminating);
        Assert.Equal(3, result.Errors.Count);
        Assert.All(result.Errors, e => AssertError(e, "ZulipRedirected", ErrorCategory.InvalidOperation));
        Assert.Contains("is not allowed", result.Errors[0].Exception.Message);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task ACompressedAnswerThatIsNotCompressedIsUnexpectedForEachInput(string encoding)
    {
        const string garbage = "this is not compressed at all, not a single byte of it";
        await using var raw = new BrokenHttpServer(_ => BrokenHttpServer.Http("200 OK", garbage, $"Content-Type: application/json\r\nContent-Encoding: {encoding}\r\n"));

        var result = Session.Run("$args[0], $args[0] | Get-ZulipServerSettings -NoProxy", raw.Url);

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => AssertError(e, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult));
    }

    [Fact]
    public async Task A407FromTheServerItselfIsNotReportedAsAProxyProblem()
    {
        await using var raw = new BrokenHttpServer(_ => BrokenHttpServer.Http("407 Proxy Authentication Required", "", "Proxy-Authenticate: Basic realm=\"x\"\r\n"));

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -NoProxy", raw.Url);

        var error = result.SingleError();
        AssertError(error, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult);
        Assert.Contains("the Zulip server itself (not a proxy)", error.Exception.Message);
    }
}
