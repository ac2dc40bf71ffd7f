using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Every row of the error table, produced by the local server over real TCP/TLS: ErrorId, category, the
/// exception's properties, TargetObject, and the secrets scan with a canary password on each path.
/// </summary>
public class ErrorTableTests : ModuleTestBase
{
    private const string FetchPath = "/api/v1/fetch_api_key";

    public sealed record Case(string Name, string ErrorId, ErrorCategory Category, int? Status, string? Code)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    {
        new("wrong password", "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError, 401, "AUTHENTICATION_FAILED"),
        new("old server 403 without code", "ZulipAuthenticationFailed", ErrorCategory.AuthenticationError, 403, null),
        new("user deactivated", "ZulipUserDeactivated", ErrorCategory.PermissionDenied, 401, "USER_DEACTIVATED"),
        new("realm deactivated", "ZulipRealmDeactivated", ErrorCategory.PermissionDenied, 401, "REALM_DEACTIVATED"),
        new("password auth disabled after the settings were read", "ZulipPasswordAuthDisabled", ErrorCategory.NotEnabled, 401, "PASSWORD_AUTH_DISABLED"),
        new("password reset required", "ZulipPasswordResetRequired", ErrorCategory.AuthenticationError, 401, "PASSWORD_RESET_REQUIRED"),
        new("404 nonexistent subdomain", "ZulipInvalidSubdomain", ErrorCategory.ObjectNotFound, 404, "NONEXISTENT_SUBDOMAIN"),
        new("400 invalid subdomain from server_settings", "ZulipInvalidSubdomain", ErrorCategory.ObjectNotFound, 400, "BAD_REQUEST"),
        new("400 enter a valid email", "ZulipInvalidUsername", ErrorCategory.InvalidArgument, 400, "BAD_REQUEST"),
        new("429 rate limited", "ZulipRateLimited", ErrorCategory.LimitsExceeded, 429, "RATE_LIMIT_HIT"),
        new("405 JSON from a proxy that rewrote the POST", "ZulipRequestRejected", ErrorCategory.InvalidOperation, 405, null),
        new("500 with Zulip JSON", "ZulipServerError", ErrorCategory.ResourceUnavailable, 500, "BAD_REQUEST"),
        new("502 HTML page", "ZulipServerError", ErrorCategory.ResourceUnavailable, 502, null),
        new("503 HTML with Retry-After", "ZulipServerError", ErrorCategory.ResourceUnavailable, 503, null),
        new("200 HTML page", "ZulipUnexpectedResponse", ErrorCategory.InvalidResult, 200, null),
        new("truncated JSON", "ZulipUnexpectedResponse", ErrorCategory.InvalidResult, 200, null),
        new("JSON of another shape", "ZulipUnexpectedResponse", ErrorCategory.InvalidResult, 200, null),
        new("over 1 MiB", "ZulipUnexpectedResponse", ErrorCategory.InvalidResult, 200, null),
        new("301 to https on the POST", "ZulipRedirected", ErrorCategory.InvalidOperation, 301, null),
        new("307 to another host on the POST", "ZulipRedirected", ErrorCategory.InvalidOperation, 307, null),
        new("connection refused", "ZulipConnectionFailed", ErrorCategory.ConnectionError, null, null),
        new("connection reset mid-answer", "ZulipConnectionFailed", ErrorCategory.ConnectionError, null, null),
        new("untrusted certificate", "ZulipCertificateError", ErrorCategory.SecurityError, null, null),
        new("stalled server", "ZulipTimeout", ErrorCategory.OperationTimeout, null, null),
    };

    public static IEnumerable<object[]> AllCases() => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(AllCases))]
    public void EachServerAnswerHasItsOwnErrorId(Case c)
    {
        var (server, user, extra) = Arrange(c.Name);
        // Zulip checks the password before its strength, so that case needs the user's real password.
        var password = user == TestUsers.Weak.Email ? TestUsers.Weak.Password : CanaryPassword;
        var clock = Stopwatch.StartNew();

        var result = GetKey(server, Cred(user, password), extra);

        var error = result.SingleError();
        AssertError(error, c.ErrorId, c.Category);
        Assert.Empty(result.Output);
        var exception = error.Exception;
        Assert.Equal(c.Code, Prop(exception, "Code"));
        Assert.Equal(c.Status, (int?)(HttpStatusCode?)Prop(exception, "StatusCode"));
        Assert.IsType<Uri>(error.TargetObject);
        ErrorRecordAssert.SaysWhatAndWhatToDoOnce(error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{c.Name} took {clock.Elapsed}.");
        result.AssertNoSecret(password, TestUsers.Iago.ApiKey, TestUsers.Weak.ApiKey);

        if (c.Code != null && c.Status is >= 400 and < 500 && c.Status != 429)
        {
            Assert.False(string.IsNullOrEmpty((string?)Prop(exception, "ServerMessage")));
            Assert.Contains((string)Prop(exception, "ServerMessage")!, exception.Message);
        }
    }

    [Fact]
    public void RateLimitErrorCarriesRetryAfter()
    {
        var (server, user, extra) = Arrange("429 rate limited");

        var error = GetKey(server, Cred(user, CanaryPassword), extra).SingleError();

        var retryAfter = (TimeSpan?)Prop(error.Exception, "RetryAfter");
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value.TotalSeconds, 1, 1800);
        Assert.Contains("Wait", error.Exception.Message);
    }

    [Fact]
    public void ARedirectedPostIsNeverResent()
    {
        var (server, user, extra) = Arrange("301 to https on the POST");

        var error = GetKey(server, Cred(user, CanaryPassword), extra).SingleError();

        Assert.Contains(Https, error.Exception.Message);
        Assert.Equal(1, Server.CountRequests(FetchPath));
    }

    [Fact]
    public void StalledServerTimesOutWithinTheLimitPlusASecond()
    {
        var (server, user, extra) = Arrange("stalled server");
        var clock = Stopwatch.StartNew();

        GetKey(server, Cred(user, CanaryPassword), extra).SingleError();

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 2.0 + 0.5);
    }

    [Fact]
    public void ErrorsAreNonTerminatingSoAScriptGoesOn()
    {
        var result = Session.RunWith("param($Server, $C) Get-ZulipApiKey -Server $Server -Credential $C; 'next line ran'",
            new Hashtable { ["Server"] = Http, ["C"] = Cred(TestUsers.Iago.Email, "wrong") });

        Assert.Null(result.Terminating);
        Assert.Single(result.Errors);
        Assert.Equal("next line ran", Assert.Single(result.Output).BaseObject);
    }

    /// <summary>Puts the server into the state the case needs; returns the server URL, the user and extra parameters.</summary>
    private (string Server, string User, string Extra) Arrange(string name)
    {
        var iago = TestUsers.Iago.Email;
        switch (name)
        {
            case "wrong password":
                return (Http, iago, string.Empty);
            case "old server 403 without code":
                Behaviour.OldServer = true;
                Behaviour.FeatureLevel = 50;
                return (Http, iago, string.Empty);
            case "user deactivated":
                return (Http, TestUsers.Deactivated.Email, string.Empty);
            case "realm deactivated":
                Behaviour.RealmDeactivated = true;
                return (Http, iago, string.Empty);
            case "password auth disabled after the settings were read":
                PrimeSettings(Http);
                Behaviour.PasswordAuthEnabled = false;
                return (Http, iago, string.Empty);
            case "password reset required":
                return (Http, TestUsers.Weak.Email, string.Empty);
            case "404 nonexistent subdomain":
                PrimeSettings(Http);
                Behaviour.AcceptedHosts = ["localhost"];
                return (Http, iago, string.Empty);
            case "400 invalid subdomain from server_settings":
                Behaviour.AcceptedHosts = ["127.0.0.1"];
                return ($"http://localhost:{Server.HttpPort}", iago, string.Empty);
            case "400 enter a valid email":
                Behaviour.LdapEnabled = true;
                PrimeSettings(Http);
                Behaviour.LdapEnabled = false;
                return (Http, "iago", string.Empty);
            case "429 rate limited":
                Behaviour.RateLimitAttempts = 2;
                GetKey(Http, Cred(iago, "wrong-1"));
                GetKey(Http, Cred(iago, "wrong-2"));
                return (Http, iago, string.Empty);
            case "405 JSON from a proxy that rewrote the POST":
                Behaviour.InjectFault(FaultKind.MethodRewritten, FetchPath);
                return (Http, iago, string.Empty);
            case "500 with Zulip JSON":
                Behaviour.InjectFault(FaultKind.Json500, FetchPath);
                return (Http, iago, string.Empty);
            case "502 HTML page":
                Behaviour.InjectFault(FaultKind.Html502, FetchPath);
                return (Http, iago, string.Empty);
            case "503 HTML with Retry-After":
                Behaviour.InjectFault(FaultKind.Status503, FetchPath);
                return (Http, iago, string.Empty);
            case "200 HTML page":
                Behaviour.InjectFault(FaultKind.Html200, FetchPath);
                return (Http, iago, string.Empty);
            case "truncated JSON":
                Behaviour.InjectFault(FaultKind.TruncatedJson, FetchPath);
                return (Http, iago, string.Empty);
            case "JSON of another shape":
                Behaviour.InjectFault(FaultKind.OtherJsonShape, FetchPath);
                return (Http, iago, string.Empty);
            case "over 1 MiB":
                Behaviour.InjectFault(FaultKind.OversizedJson, FetchPath);
                return (Http, iago, string.Empty);
            case "301 to https on the POST":
                Behaviour.InjectFault(FaultKind.RedirectToHttps, FetchPath);
                return (Http, iago, string.Empty);
            case "307 to another host on the POST":
                Behaviour.InjectFault(FaultKind.RedirectToOtherHost, FetchPath);
                return (Http, iago, string.Empty);
            case "connection refused":
                return ($"http://127.0.0.1:{UnusedPort()}", iago, string.Empty);
            case "connection reset mid-answer":
                Behaviour.InjectFault(FaultKind.ResetConnection, FetchPath);
                return (Http, iago, string.Empty);
            case "untrusted certificate":
                return (Https, iago, string.Empty);
            case "stalled server":
                Behaviour.InjectFault(FaultKind.Stall, FetchPath);
                return (Http, iago, "-TimeoutSec 1");
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "no arrangement for this case");
        }
    }

    private void PrimeSettings(string server)
    {
        var result = Session.Run("Get-ZulipServerSettings -Server $args[0]", server);
        Assert.Empty(result.Errors);
    }
}
