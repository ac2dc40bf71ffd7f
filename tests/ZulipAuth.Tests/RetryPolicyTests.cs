using System.Net.Sockets;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// Which failures are retried and after how long. The failures come from the client itself (a mocked answer),
/// so the test covers the transient flag and Retry-After the client sets, not hand-made exceptions.
/// </summary>
public class RetryPolicyTests
{
    private static readonly TimeSpan FiveSeconds = TimeSpan.FromSeconds(5);

    private static async Task<ZulipApiException> FailureFrom(int status, string body, string contentType = "application/json", params (string, string)[] headers)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(status, body, contentType, headers));
        return await Assert.ThrowsAsync<ZulipApiException>(() =>
            TestSupport.Client(handler).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));
    }

    private static Task<ZulipApiException> RateLimited(double seconds) =>
        FailureFrom(429, $$"""{"result":"error","msg":"API usage exceeded rate limit","retry-after":{{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"code":"RATE_LIMIT_HIT"}""",
            "application/json", ("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<ZulipApiException> ConnectionRefused()
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused))));
        return await Assert.ThrowsAsync<ZulipApiException>(() =>
            TestSupport.Client(handler).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));
    }

    [Theory]
    [InlineData(401, """{"result":"error","msg":"Your username or password is incorrect","code":"AUTHENTICATION_FAILED"}""")]
    [InlineData(403, """{"result":"error","msg":"Your username or password is incorrect.","reason":"incorrect_creds"}""")]
    [InlineData(401, """{"result":"error","msg":"Account is deactivated","code":"USER_DEACTIVATED"}""")]
    [InlineData(401, """{"result":"error","msg":"Password authentication is disabled in this organization","code":"PASSWORD_AUTH_DISABLED"}""")]
    [InlineData(400, """{"result":"error","msg":"Enter a valid email address.","code":"BAD_REQUEST"}""")]
    [InlineData(400, """{"result":"error","msg":"Missing 'password' argument","var_name":"password","code":"REQUEST_VARIABLE_MISSING"}""")]
    [InlineData(404, """{"result":"error","msg":"Invalid subdomain","code":"NONEXISTENT_SUBDOMAIN"}""")]
    [InlineData(405, """{"result":"error","msg":"Method Not Allowed","allowed_methods":["POST"]}""")]
    [InlineData(500, """{"result":"error","msg":"Internal server error"}""")]
    [InlineData(200, """{"result":"success","msg":""}""")]
    public async Task NeverRetriesAnAnswerAboutTheCredentialsOrTheRequest(int status, string body)
    {
        var failure = await FailureFrom(status, body);
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(1));

        Assert.Null(policy.NextDelay(failure, 0));
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task RetriesGatewayFailuresAfterTheInterval(int status)
    {
        var failure = await FailureFrom(status, "<html><body>gateway trouble</body></html>", "text/html");
        var policy = new RetryPolicy(2, FiveSeconds);

        Assert.Equal(FiveSeconds, policy.NextDelay(failure, 0));
        Assert.Equal(FiveSeconds, policy.NextDelay(failure, 1));
        Assert.Null(policy.NextDelay(failure, 2));
    }

    [Fact]
    public async Task RetriesConnectionFailuresUpToTheMaximum()
    {
        var failure = await ConnectionRefused();
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(2));

        Assert.Equal(new TimeSpan?[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), null },
            Enumerable.Range(0, 4).Select(i => policy.NextDelay(failure, i)));
    }

    [Fact]
    public async Task ZeroRetriesMeansNone()
    {
        var failure = await ConnectionRefused();

        Assert.Null(new RetryPolicy(0, FiveSeconds).NextDelay(failure, 0));
        Assert.Null(new RetryPolicy(-3, FiveSeconds).NextDelay(failure, 0));
    }

    [Fact]
    public async Task ARateLimitShorterThanTheIntervalWaitsTheInterval()
    {
        var failure = await RateLimited(1.5);

        Assert.Equal(FiveSeconds, new RetryPolicy(1, FiveSeconds).NextDelay(failure, 0));
    }

    [Fact]
    public async Task ARateLimitLongerThanTheIntervalWaitsRetryAfterWithItsFraction()
    {
        var failure = await RateLimited(12.75);

        var delay = new RetryPolicy(1, FiveSeconds).NextDelay(failure, 0);

        Assert.NotNull(delay);
        Assert.Equal(12.75, delay!.Value.TotalSeconds, 3);
    }

    [Fact]
    public async Task A503RetryAfterHeaderIsHonoured()
    {
        var failure = await FailureFrom(503, "<html>busy</html>", "text/html", ("Retry-After", "42"));

        Assert.Equal(TimeSpan.FromSeconds(42), new RetryPolicy(1, FiveSeconds).NextDelay(failure, 0));
    }

    [Theory]
    [InlineData(600, true)]
    [InlineData(600.5, false)]
    [InlineData(1793.25, false)]
    public async Task AWaitOverTenMinutesIsRefused(double seconds, bool waits)
    {
        var failure = await RateLimited(seconds);

        var policy = new RetryPolicy(5, FiveSeconds);
        var delay = policy.NextDelay(failure, 0);

        Assert.Equal(waits, delay.HasValue);
        // What the cmdlet reports when it declines to sleep that long.
        Assert.Equal(seconds, policy.WaitBefore(failure).TotalSeconds, 3);
        Assert.NotNull(failure.RetryAfter);
        Assert.Equal(seconds, failure.RetryAfter!.Value.TotalSeconds, 3);
    }

    [Fact]
    public async Task AnIntervalOverTenMinutesIsRefusedToo()
    {
        var failure = await ConnectionRefused();

        Assert.Null(new RetryPolicy(1, TimeSpan.FromMinutes(11)).NextDelay(failure, 0));
        Assert.Equal(TimeSpan.FromMinutes(10), new RetryPolicy(1, TimeSpan.FromMinutes(10)).NextDelay(failure, 0));
    }

    [Fact]
    public void ANegativeIntervalBecomesZero()
    {
        var policy = new RetryPolicy(1, TimeSpan.FromSeconds(-5));

        Assert.Equal(TimeSpan.Zero, policy.Interval);
        Assert.Equal(1, policy.MaximumRetryCount);
    }

    [Fact]
    public async Task ATimeoutIsNotRetried()
    {
        var handler = new StubHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage();
        });
        var failure = await Assert.ThrowsAsync<ZulipApiException>(() =>
            TestSupport.Client(handler, TimeSpan.FromMilliseconds(200)).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("x"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.Timeout, failure.ErrorId);
        Assert.Null(new RetryPolicy(3, FiveSeconds).NextDelay(failure, 0));
    }

    [Theory]
    [InlineData("""{"result":"error","msg":"API usage exceeded rate limit","retry-after":1e30,"code":"RATE_LIMIT_HIT"}""", "1e30")]
    [InlineData("""{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT"}""", "Infinity")]
    [InlineData("""{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT"}""", "1e300")]
    public async Task AnAbsurdRetryAfterIsARateLimitThatIsNotWaitedFor(string body, string header)
    {
        var failure = await FailureFrom(429, body, "application/json", ("Retry-After", header));

        Assert.Equal(ZulipErrorId.RateLimited, failure.ErrorId);
        Assert.True(failure.RetryAfter > RetryPolicy.LongestWait);
        Assert.Null(new RetryPolicy(5, FiveSeconds).NextDelay(failure, 0));
    }
}
