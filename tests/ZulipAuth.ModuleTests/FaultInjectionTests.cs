using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The fault-injection suite: every way a network, a proxy or a server can misbehave, run through the cmdlet
/// over real TCP/TLS. Each case asserts the ErrorId (or success), a bounded duration, that no secret reached
/// any stream, and that the same runspace then fetches a key normally.
/// </summary>
public class FaultInjectionTests : ModuleTestBase
{
    private const string FetchPath = "/api/v1/fetch_api_key";
    private const string SettingsPath = "/api/v1/server_settings";
    private const string GetKeyCommand = "Get-ZulipApiKey -Server $Server -Credential $Credential";
    private const string SettingsCommand = "Get-ZulipServerSettings -Server $Server";

    /// <summary>What one case runs: the command, the server, the password in the credential, extra parameters.</summary>
    public sealed record Call(string Server, string Password, string Extra = "", string Command = GetKeyCommand);

    /// <summary>
    /// One fault: how to arrange it, the ErrorId it must produce (null: the call must succeed), the longest it
    /// may take, and what else to check.
    /// </summary>
    public sealed record FaultCase(string Name, string? ErrorId, double MaxSeconds, Func<FaultInjectionTests, Call> Arrange, Action<FaultInjectionTests, PsResult, TimeSpan>? Verify = null)
    {
        /// <summary>Extra parameters of the good call that follows (a case can leave the server's https URL in the settings cache).</summary>
        public string NextCallExtra { get; init; } = string.Empty;
    }

    private static readonly FaultCase[] Cases =
    {
        new("stalled server", "ZulipTimeout", 2 + 1, t => t.Fault(FaultKind.Stall, "-TimeoutSec 2"), (t, r, elapsed) =>
        {
            Assert.True(elapsed >= TimeSpan.FromSeconds(1.9), $"gave up after {elapsed}, before the 2 s limit");
            Assert.Contains("-TimeoutSec", Error(r).Exception.Message);
        }),
        new("stalled server_settings", "ZulipTimeout", 1 + 1.5, t =>
        {
            t.Behaviour.InjectFault(FaultKind.Stall, SettingsPath);
            return new Call(t.Http, CanaryPassword, "-TimeoutSec 1", SettingsCommand);
        }),
        new("a slow answer within -TimeoutSec is waited for", null, 10, t =>
        {
            t.Behaviour.FaultDelay = TimeSpan.FromSeconds(1);
            return t.Fault(FaultKind.Delay, "-TimeoutSec 5", count: 1, right: true);
        }, (t, r, elapsed) => Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"the answer was delayed 1 s, but came after {elapsed}")),
        new("connection reset mid-answer", "ZulipConnectionFailed", 10, t => t.Fault(FaultKind.ResetConnection)),
        // The reset comes after the answer began: the server had the password, so it is never sent again.
        new("connection reset with retries asked for, the password not re-sent", "ZulipConnectionFailed", 10, t => t.Fault(FaultKind.ResetConnection, "-MaximumRetryCount 1 -RetryIntervalSec 1", count: 1, right: true),
            (t, r, _) => Assert.Equal(1, t.Posts)),
        new("HTML 502", "ZulipServerError", 10, t => t.Fault(FaultKind.Html502), (t, r, _) => Assert.Equal(502, Status(r))),
        new("HTML 502 retried until the budget is spent", "ZulipServerError", 10, t => t.Fault(FaultKind.Html502, "-MaximumRetryCount 2 -RetryIntervalSec 1"),
            (t, r, elapsed) =>
            {
                Assert.Equal(3, t.Posts);
                Assert.True(elapsed >= TimeSpan.FromSeconds(1.9), $"two 1 s waits took {elapsed}");
            }),
        new("HTML 200 from a host that is not Zulip", "ZulipUnexpectedResponse", 10, t =>
        {
            t.Behaviour.InjectFault(FaultKind.Html200);
            return new Call(t.Http, CanaryPassword);
        }, (t, r, _) =>
        {
            // The preflight already sees it is not Zulip, so the password never leaves.
            Assert.Equal(0, t.Posts);
            Assert.Contains("does not look like a Zulip server", Error(r).Exception.Message);
        }),
        new("truncated JSON", "ZulipUnexpectedResponse", 10, t => t.Fault(FaultKind.TruncatedJson)),
        new("endless body", "ZulipUnexpectedResponse", 10, t => t.Fault(FaultKind.EndlessBody),
            (t, r, _) => Assert.Contains("1 MiB", Error(r).Exception.Message)),
        new("over 1 MiB with Content-Length", "ZulipUnexpectedResponse", 10, t => t.Fault(FaultKind.OversizedJson, right: true),
            (t, r, _) => Assert.Contains("1 MiB", Error(r).Exception.Message)),
        new("307 to another host on the password POST", "ZulipRedirected", 10, t => t.Fault(FaultKind.RedirectToOtherHost), (t, r, _) =>
        {
            Assert.Equal(1, t.Posts);
            Assert.DoesNotContain(t.Server.Requests, q => q.Host.StartsWith("localhost", StringComparison.Ordinal));
            Assert.Contains($"localhost:{t.Server.HttpPort}", Error(r).Exception.Message);
        }),
        new("301 http to https on the password POST", "ZulipRedirected", 10, t => t.Fault(FaultKind.RedirectToHttps), (t, r, _) =>
        {
            Assert.Equal(1, t.Posts);
            Assert.DoesNotContain(t.Server.Requests, q => q.Scheme == "https");
            Assert.Contains($"-Server {t.Https}", Error(r).ErrorDetails!.RecommendedAction);
        }),
        new("301 http to https on Get-ZulipServerSettings is followed", null, 10, t =>
        {
            t.Behaviour.InjectFault(FaultKind.RedirectToHttps, SettingsPath);
            return new Call(t.Http, CanaryPassword, "-SkipCertificateCheck", SettingsCommand);
        }, (t, r, _) =>
        {
            Assert.Equal("ZulipAuth.ZulipServerSettings", Assert.Single(r.Output).TypeNames[0]);
            Assert.Equal(new[] { "http", "https" }, t.Server.Requests.Where(q => q.Path == SettingsPath).Select(q => q.Scheme));
        }) { NextCallExtra = "-SkipCertificateCheck" },
        new("301 http to https on Get-ZulipServerSettings still checks the certificate", "ZulipCertificateError", 10, t =>
        {
            t.Behaviour.InjectFault(FaultKind.RedirectToHttps, SettingsPath);
            return new Call(t.Http, CanaryPassword, string.Empty, SettingsCommand);
        }),
        new("307 to another host on Get-ZulipServerSettings is not followed", "ZulipRedirected", 10, t =>
        {
            t.Behaviour.InjectFault(FaultKind.RedirectToOtherHost, SettingsPath);
            return new Call(t.Http, CanaryPassword, string.Empty, SettingsCommand);
        }, (t, r, _) => Assert.Single(t.Server.Requests)),
        new("500 with Zulip JSON", "ZulipServerError", 10, t => t.Fault(FaultKind.Json500, "-MaximumRetryCount 2 -RetryIntervalSec 1"), (t, r, _) =>
        {
            Assert.Equal("Internal server error", Prop(Error(r).Exception, "ServerMessage"));
            Assert.Equal(1, t.Posts);
        }),
        new("connection refused", "ZulipConnectionFailed", 10, t => new Call($"http://127.0.0.1:{UnusedPort()}", CanaryPassword),
            (t, r, _) => Assert.Contains("refused", Error(r).Exception.Message)),
        new("a .invalid host name", "ZulipConnectionFailed", 10, t => new Call("https://zulip.invalid", CanaryPassword),
            (t, r, _) => Assert.Contains("zulip.invalid could not be resolved", Error(r).Exception.Message)),
        new("self-signed certificate", "ZulipCertificateError", 10, t => new Call(t.Https, CanaryPassword),
            (t, r, _) => Assert.Empty(t.Server.Requests)),
        new("self-signed certificate with -SkipCertificateCheck", null, 10, t => new Call(t.Https, TestUsers.Iago.Password, "-SkipCertificateCheck"),
            (t, r, _) => Assert.Contains(r.Warnings, w => w.Contains("-SkipCertificateCheck", StringComparison.Ordinal))),
        new("429 with Retry-After honoured and retried to success", null, 10, t =>
        {
            t.Behaviour.FaultRetryAfterSeconds = 1.5;
            return t.Fault(FaultKind.RateLimited, "-MaximumRetryCount 2 -RetryIntervalSec 1", count: 1, right: true);
        }, (t, r, elapsed) =>
        {
            Assert.Equal(2, t.Posts);
            Assert.True(elapsed >= TimeSpan.FromSeconds(1.4), $"Retry-After 1.5 s, but the retry came after {elapsed}");
            Assert.Contains(r.Verbose, v => v.Contains("ZulipRateLimited", StringComparison.Ordinal) && v.Contains("retry 1 of 2 in 1.5 s", StringComparison.Ordinal));
            AssertCountdown(r, "retry 1 of 2");
        }),
        new("429 waits -RetryIntervalSec when Retry-After is shorter", null, 10, t =>
        {
            t.Behaviour.FaultRetryAfterSeconds = 0.5;
            return t.Fault(FaultKind.RateLimited, "-MaximumRetryCount 1 -RetryIntervalSec 2", count: 1, right: true);
        }, (t, r, elapsed) =>
        {
            Assert.Equal(2, t.Posts);
            Assert.True(elapsed >= TimeSpan.FromSeconds(1.9), $"-RetryIntervalSec 2, but the retry came after {elapsed}");
            Assert.Contains(r.Verbose, v => v.Contains("retry 1 of 1 in 2 s", StringComparison.Ordinal));
        }),
        new("429 beyond the retry budget", "ZulipRateLimited", 10, t =>
        {
            t.Behaviour.FaultRetryAfterSeconds = 0.5;
            return t.Fault(FaultKind.RateLimited, "-MaximumRetryCount 1 -RetryIntervalSec 1");
        }, (t, r, _) =>
        {
            Assert.Equal(2, t.Posts);
            Assert.Equal(TimeSpan.FromSeconds(0.5), Prop(Error(r).Exception, "RetryAfter"));
            Assert.Equal(429, Status(r));
        }),
        new("503 with Retry-After retried", null, 10, t =>
        {
            t.Behaviour.FaultRetryAfterSeconds = 1;
            return t.Fault(FaultKind.Status503, "-MaximumRetryCount 1 -RetryIntervalSec 1", count: 1, right: true);
        }, (t, r, elapsed) =>
        {
            Assert.Equal(2, t.Posts);
            Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"Retry-After 1 s, but the retry came after {elapsed}");
            AssertCountdown(r, "HTTP 503");
        }),
        new("401 is never retried", "ZulipAuthenticationFailed", 10, t => new Call(t.Http, CanaryPassword, "-MaximumRetryCount 5 -RetryIntervalSec 1"), (t, r, _) =>
        {
            Assert.Equal(1, t.Posts);
            Assert.Empty(r.Progress);
        }),
        new("a wait beyond 10 minutes is not slept", "ZulipRateLimited", 5, t =>
        {
            t.Behaviour.FaultRetryAfterSeconds = 900;
            return t.Fault(FaultKind.RateLimited, "-MaximumRetryCount 3 -RetryIntervalSec 1");
        }, (t, r, _) =>
        {
            var error = Error(r);
            Assert.Equal(1, t.Posts);
            Assert.Equal(TimeSpan.FromSeconds(900), Prop(error.Exception, "RetryAfter"));
            Assert.Contains("Wait 15 min", error.Exception.Message);
            Assert.Contains(r.Verbose, v => v.Contains("10 minutes", StringComparison.Ordinal));
        }),
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EachFaultEndsInItsErrorIdInBoundedTimeWithoutLeaksAndTheRunspaceGoesOn(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var call = c.Arrange(this);
        var clock = Stopwatch.StartNew();

        var result = Session.RunWith($"param($Server, $Credential) {call.Command} {call.Extra}",
            new Hashtable { ["Server"] = call.Server, ["Credential"] = Cred(TestUsers.Iago.Email, call.Password) });

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(c.MaxSeconds), $"{name} took {clock.Elapsed}, more than {c.MaxSeconds} s.");
        Assert.Null(result.Terminating);
        if (c.ErrorId == null)
        {
            Assert.Empty(result.Errors);
            Assert.Single(result.Output);
        }
        else
        {
            var error = result.SingleError();
            AssertError(error, c.ErrorId, ErrorRecordsCategory(c.ErrorId));
            Assert.Empty(result.Output);
            Assert.IsType<Uri>(error.TargetObject);
            Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails?.RecommendedAction), "no hint of what to do next");
        }

        result.AssertNoSecret(call.Password, TestUsers.Iago.ApiKey);
        c.Verify?.Invoke(this, result, clock.Elapsed);
        AssertTheRunspaceStillFetchesAKey(c.NextCallExtra);
    }

    [Fact]
    public void SkipCertificateCheckAppliesToItsOwnCallOnly()
    {
        var skipped = GetKey(Https, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), "-SkipCertificateCheck");
        Assert.Empty(skipped.Errors);

        var checkedAgain = GetKey(Https, Cred(TestUsers.Iago.Email, CanaryPassword));

        AssertError(checkedAgain.SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
        Assert.Empty(checkedAgain.Warnings);
        Assert.Equal(1, Posts);
        checkedAgain.AssertNoSecret(CanaryPassword);
    }

    /// <summary>The case's fault on the password POST only (the preflight GET stays healthy).</summary>
    private Call Fault(FaultKind kind, string extra = "", int count = -1, bool right = false)
    {
        Behaviour.InjectFault(kind, FetchPath, count, "POST");
        return new Call(Http, right ? TestUsers.Iago.Password : CanaryPassword, extra);
    }

    /// <summary>The retry wait shows in the progress stream as a countdown, completed when the wait ends.</summary>
    private static void AssertCountdown(PsResult result, string status)
    {
        var waiting = result.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.NotEmpty(waiting);
        Assert.All(waiting, p => Assert.InRange(p.SecondsRemaining, 1, 2));
        Assert.Contains(waiting, p => p.StatusDescription.Contains(status, StringComparison.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, result.Progress.Last().RecordType);
    }

    private static ErrorRecord Error(PsResult result) => Assert.Single(result.Errors);

    private static int? Status(PsResult result) => (int?)(HttpStatusCode?)Prop(Error(result).Exception, "StatusCode");

    private static ErrorCategory ErrorRecordsCategory(string errorId) => errorId switch
    {
        "ZulipTimeout" => ErrorCategory.OperationTimeout,
        "ZulipConnectionFailed" => ErrorCategory.ConnectionError,
        "ZulipServerError" => ErrorCategory.ResourceUnavailable,
        "ZulipUnexpectedResponse" => ErrorCategory.InvalidResult,
        "ZulipRedirected" => ErrorCategory.InvalidOperation,
        "ZulipCertificateError" => ErrorCategory.SecurityError,
        "ZulipRateLimited" => ErrorCategory.LimitsExceeded,
        "ZulipAuthenticationFailed" => ErrorCategory.AuthenticationError,
        _ => throw new ArgumentOutOfRangeException(nameof(errorId), errorId, "no category expected for this id"),
    };
}
