using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// Runs every failure path with a canary password and a canary key and scans everything an exception exposes
/// (message, ToString, inner exceptions, hint, server message, data) for them.
/// </summary>
public class SecretsTests
{
    private const string CanaryPassword = "Canary-Pw-7f3a";
    private const string CanaryKey = "CanaryKey9x7Qm2Lp4Rt6Vw8Yz0Ab3C";
    private const string Email = "iago@zulip.com";

    private static readonly string[] Forbidden =
    [
        CanaryPassword,
        Uri.EscapeDataString(CanaryPassword + "&ü"),
        CanaryKey,
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Email + ":" + CanaryKey)),
    ];

    private static void AssertNoSecret(Exception e)
    {
        foreach (var text in TestSupport.ExposedText(e))
        {
            foreach (var secret in Forbidden)
            {
                Assert.DoesNotContain(secret, text);
            }
        }
    }

    /// <summary>Fetches with the canary password and proves it really went out, so the scan means something.</summary>
    private static async Task<Exception> FetchFailure(StubHandler handler, TimeSpan? timeout = null, CancellationToken token = default)
    {
        var e = await Record.ExceptionAsync(() =>
            TestSupport.Client(handler, timeout).FetchApiKeyAsync(TestSupport.Server, Email, TestSupport.Secure(CanaryPassword + "&ü"), token));
        Assert.NotNull(e);
        var sent = Assert.Single(handler.Requests);
        Assert.Contains(CanaryPassword, Encoding.ASCII.GetString(sent.Body!));
        return e!;
    }

    private static async Task<Exception> UsersMeFailure(StubHandler handler, TimeSpan? timeout = null)
    {
        var e = await Record.ExceptionAsync(() =>
            TestSupport.Client(handler, timeout).GetOwnUserAsync(TestSupport.Server, Email, TestSupport.Secure(CanaryKey), CancellationToken.None));
        Assert.NotNull(e);
        var sent = Assert.Single(handler.Requests);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(Email + ":" + CanaryKey)), sent.Authorization);
        return e!;
    }

    [Theory]
    [MemberData(nameof(FetchApiKeyAnswers.Names), MemberType = typeof(FetchApiKeyAnswers))]
    public async Task NoFailureAnswerToFetchApiKeyRevealsThePasswordOrAKeyInTheBody(string rowName)
    {
        var row = FetchApiKeyAnswers.Get(rowName);
        var handler = new StubHandler(_ => FetchApiKeyAnswers.ToResponse(row, CanaryKey));

        var e = await FetchFailure(handler);

        var z = Assert.IsType<ZulipApiException>(e);
        Assert.Equal(row.ErrorId, z.ErrorId);
        AssertNoSecret(e);
    }

    public static TheoryData<string> TransportFailures => new()
    {
        "301", "302", "307", "308", "refused", "dns", "certificate", "reset mid-body", "timeout", "too large", "endless",
    };

    private static StubHandler TransportHandler(string failure) => failure switch
    {
        "301" or "302" or "307" or "308" => new StubHandler(_ =>
        {
            var r = new HttpResponseMessage((HttpStatusCode)int.Parse(failure, System.Globalization.CultureInfo.InvariantCulture));
            r.Headers.Location = new Uri("https://chat.example.org/api/v1/fetch_api_key");
            return r;
        }),
        "refused" => Throwing(new HttpRequestException("Connection refused (chat.example.com:443)", new SocketException((int)SocketError.ConnectionRefused))),
        "dns" => Throwing(new HttpRequestException("Name or service not known (chat.example.com:443)", new SocketException((int)SocketError.HostNotFound))),
        "certificate" => Throwing(new HttpRequestException("The SSL connection could not be established, see inner exception.", new AuthenticationException("The remote certificate is invalid: RemoteCertificateNameMismatch"))),
        "reset mid-body" => new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new ScriptedStream(Encoding.UTF8.GetBytes("{\"result\":\"success\",\"api_key\":\"" + CanaryKey.Substring(0, 4)), new IOException("Connection reset by peer"), honourToken: true)),
        }),
        "timeout" => new StubHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage();
        }),
        "too large" => new StubHandler(_ => TestSupport.Answer(200, "{\"result\":\"success\",\"api_key\":\"" + CanaryKey + "\",\"pad\":\"" + new string(' ', 1100 * 1024) + "\"}")),
        "endless" => new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new EndlessStream()) }),
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };

    private static StubHandler Throwing(Exception e) => new((_, _) => Task.FromException<HttpResponseMessage>(e));

    [Theory]
    [MemberData(nameof(TransportFailures))]
    public async Task NoTransportFailureOfFetchApiKeyRevealsThePassword(string failure)
    {
        var e = await FetchFailure(TransportHandler(failure), TimeSpan.FromMilliseconds(500));

        Assert.IsType<ZulipApiException>(e);
        AssertNoSecret(e);
    }

    [Theory]
    [MemberData(nameof(TransportFailures))]
    public async Task NoTransportFailureOfUsersMeRevealsTheKey(string failure)
    {
        var e = await UsersMeFailure(TransportHandler(failure), TimeSpan.FromMilliseconds(500));

        Assert.IsType<ZulipApiException>(e);
        AssertNoSecret(e);
    }

    [Fact]
    public async Task CancellingAFetchRevealsNothing()
    {
        var handler = new StubHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage();
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var e = await FetchFailure(handler, TimeSpan.FromSeconds(30), stop.Token);

        Assert.IsAssignableFrom<OperationCanceledException>(e);
        AssertNoSecret(e);
    }

    [Theory]
    [InlineData(401, """{"result":"error","msg":"Invalid API key","code":"UNAUTHORIZED"}""")]
    [InlineData(401, """{"result":"error","msg":"Malformed API key","code":"UNAUTHORIZED"}""")]
    [InlineData(401, """{"result":"error","msg":"Account is deactivated","code":"UNAUTHORIZED"}""")]
    [InlineData(401, """{"result":"error","msg":"Account is not associated with this subdomain","code":"UNAUTHORIZED"}""")]
    [InlineData(401, """{"result":"error","msg":"Invalid API key"}""")]
    [InlineData(429, """{"result":"error","msg":"API usage exceeded rate limit","retry-after":2.5,"code":"RATE_LIMIT_HIT"}""")]
    [InlineData(500, """{"result":"error","msg":"Internal server error"}""")]
    [InlineData(502, "<html><body>502 Bad Gateway</body></html>")]
    [InlineData(200, "<html><body>Welcome</body></html>")]
    [InlineData(200, """{"result":"success","msg":"","email":"iago@zulip.com","api_key":"{KEY}"}""")]
    public async Task NoFailureAnswerToUsersMeRevealsTheKey(int status, string body)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(status, body.Replace("{KEY}", CanaryKey), body.StartsWith('<') ? "text/html" : "application/json",
            ("WWW-Authenticate", "Basic realm=\"zulip\"")));

        var e = await UsersMeFailure(handler);

        Assert.IsType<ZulipApiException>(e);
        AssertNoSecret(e);
    }
}
