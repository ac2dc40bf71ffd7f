using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// The rules the transport enforces per request: where a secret may go (checked against the URL and route a
/// request actually takes), which redirects are followed, when a request is sent again, and the limits that
/// must fail as Zulip errors rather than as framework exceptions.
/// </summary>
public class TransportRulesTests
{
    private const string SuccessJson = """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""";

    private static ZulipClient Over(HttpClient http, bool allowUnencrypted = false) =>
        new(http, TimeSpan.FromSeconds(5), TestSupport.UserAgent) { AllowUnencryptedAuthentication = allowUnencrypted };

    private static PooledHttpClient Pooled(HttpMessageHandler handler, ProxyMode mode, IWebProxy? proxy = null, bool skipCertificateCheck = false) =>
        new(handler, new TransportOptions { ProxyMode = mode, Proxy = (proxy as ExplicitProxy)?.GetProxy(TestSupport.Server), SkipCertificateCheck = skipCertificateCheck }, proxy);

    private static StubHandler Succeeds() => new(_ => TestSupport.Answer(200, SuccessJson));

    private static Task<FetchedApiKey> Login(ZulipClient client, string server) =>
        client.FetchApiKeyAsync(new Uri(server), "iago@zulip.com", TestSupport.Secure("Canary-Pw-1"), CancellationToken.None);

    // ---- Where a secret may go ----

    [Theory]
    [InlineData("ws://chat.example.com/")]
    [InlineData("wss://chat.example.com/")]
    [InlineData("ftp://chat.example.com/")]
    [InlineData("ws://localhost:9991/")]
    public async Task APasswordIsNeverSentToASchemeOtherThanHttpOrHttpsEvenWhenPlainHttpIsAllowed(string server)
    {
        var handler = Succeeds();

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Login(Over(Pooled(handler, ProxyMode.None), allowUnencrypted: true), server));

        Assert.Equal(ZulipErrorId.UnencryptedAuthentication, e.ErrorId);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task APasswordForLoopbackThroughAnExplicitProxyIsRefusedBeforeAnythingIsSent()
    {
        var handler = Succeeds();
        var proxy = new ExplicitProxy(new Uri("http://127.0.0.1:3128/"), null);

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Login(Over(Pooled(handler, ProxyMode.Explicit, proxy)), "http://localhost:9991/"));

        Assert.Equal(ZulipErrorId.UnencryptedAuthentication, e.ErrorId);
        Assert.Contains("127.0.0.1:3128", e.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task AnApiKeyForLoopbackThroughASystemProxyThatAppliesIsRefused()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(200, """{"result":"success","msg":"","user_id":5,"email":"iago@zulip.com"}"""));
        var system = new WebProxy("http://127.0.0.1:3128/") { BypassProxyOnLocal = false };

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            Over(Pooled(handler, ProxyMode.System, system)).GetOwnUserAsync(new Uri("http://127.0.0.1:9991/"), "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), CancellationToken.None));

        Assert.Equal(ZulipErrorId.UnencryptedAuthentication, e.ErrorId);
        Assert.Contains("the API key", e.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task ASystemProxyThatBypassesLoopbackLeavesTheExemption()
    {
        var handler = Succeeds();
        var system = new WebProxy("http://127.0.0.1:3128/") { BypassProxyOnLocal = true };

        await Login(Over(Pooled(handler, ProxyMode.System, system)), "http://localhost:9991/");

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ThroughAProxyTheOptInStillAllowsPlainHttp()
    {
        var handler = Succeeds();
        var proxy = new ExplicitProxy(new Uri("http://127.0.0.1:3128/"), null);

        await Login(Over(Pooled(handler, ProxyMode.Explicit, proxy), allowUnencrypted: true), "http://localhost:9991/");

        Assert.Single(handler.Requests);
    }

    [Fact]
    public void ARouteThatCannotBeResolvedIsNeverDirect()
    {
        var route = ProxyRoute.Resolve(new ThrowingProxy(), new Uri("http://localhost:9991/"));

        Assert.False(route.IsDirect);
        Assert.NotNull(EncryptionRule.Refusal(new Uri("http://localhost:9991/"), route, false, "the password"));
    }

    [Fact]
    public async Task ARequestOfANewEndpointCarriesASecretUntilItSaysOtherwise()
    {
        // What a new endpoint gets by constructing a request and nothing more: the encryption rule and no retry after it may have been sent.
        var handler = Succeeds();
        var transport = new HttpTransport(Pooled(handler, ProxyMode.None), TimeSpan.FromSeconds(5), TestSupport.UserAgent);
        var request = new ZulipRequest(HttpMethod.Post, new Uri("http://chat.example.com/api/v1/users/me/api_key/regenerate"));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => transport.SendAsync(request, CancellationToken.None));

        Assert.True(request.CarriesSecret);
        Assert.Equal(RetrySafety.WhenCertainlyNotSent, request.RetrySafety);
        Assert.Equal(ZulipErrorId.UnencryptedAuthentication, e.ErrorId);
        Assert.Empty(handler.Requests);
    }

    // ---- Redirects ----

    [Theory]
    [InlineData("ws://chat.example.com/api/v1/server_settings")]
    [InlineData("wss://chat.example.com/api/v1/server_settings")]
    [InlineData("file://chat.example.com/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://chat.example.com/server_settings")]
    [InlineData("gopher://chat.example.com/1")]
    public async Task ARedirectOfTheSettingsToAnotherSchemeIsRefusedAndNotFollowed(string location)
    {
        var handler = new StubHandler(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri(location);
            return response;
        });

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Over(Pooled(handler, ProxyMode.None)).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Contains("is not allowed", e.Message);
        Assert.Single(handler.Requests);
    }

    // ---- Retries ----

    private static async Task<ZulipApiException> LoginFailure(HttpMessageHandler handler) =>
        await Assert.ThrowsAsync<ZulipApiException>(() => Login(Over(Pooled(handler, ProxyMode.None)), "https://chat.example.com/"));

    [Fact]
    public async Task APasswordIsNotSentAgainAfterA401RateLimit()
    {
        var failure = await LoginFailure(new StubHandler(_ => TestSupport.Answer(401, """{"result":"error","msg":"API usage exceeded rate limit","retry-after":1,"code":"RATE_LIMIT_HIT"}""")));

        Assert.Equal(ZulipErrorId.RateLimited, failure.ErrorId);
        Assert.Null(new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(failure, 0));
    }

    [Fact]
    public async Task APasswordIsNotSentAgainAfterATruncatedAnswer()
    {
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new ScriptedStream(Encoding.UTF8.GetBytes("{\"result\":\"succ"), new IOException("The response ended prematurely."), honourToken: true)),
        });

        var failure = await LoginFailure(handler);

        Assert.Equal(ZulipErrorId.ConnectionFailed, failure.ErrorId);
        Assert.Null(new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(failure, 0));
    }

    [Fact]
    public async Task APasswordIsNotSentAgainAfterAnAnswerTheHandlerCouldNotRead()
    {
        // Oversized headers and an invalid status line reach here as an HttpRequestException without a socket error.
        var failure = await LoginFailure(new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("The server returned an invalid or unrecognized response."))));

        Assert.Equal(ZulipErrorId.ConnectionFailed, failure.ErrorId);
        Assert.Null(new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(failure, 0));
    }

    [Fact]
    public async Task APasswordIsSentAgainWhenTheConnectionWasRefusedOrAfterAComplete429()
    {
        var refused = await LoginFailure(new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)))));
        var limited = await LoginFailure(new StubHandler(_ => TestSupport.Answer(429, """{"result":"error","msg":"API usage exceeded rate limit","retry-after":1,"code":"RATE_LIMIT_HIT"}""")));

        Assert.Equal(TimeSpan.FromSeconds(1), new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(refused, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(limited, 0));
    }

    [Fact]
    public async Task AReadOnlyCallIsSentAgainAfterATruncatedAnswer()
    {
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new ScriptedStream(Encoding.UTF8.GetBytes("{\"result\":\"succ"), new IOException("The response ended prematurely."), honourToken: true)),
        });

        var failure = await Assert.ThrowsAsync<ZulipApiException>(() => Over(Pooled(handler, ProxyMode.None)).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(1), new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(failure, 0));
    }

    [Theory]
    [InlineData(429, """{"result":"error","msg":"API usage exceeded rate limit","retry-after":1,"code":"RATE_LIMIT_HIT"}""", true)]
    [InlineData(429, "<html>429 Too Many Requests</html>", false)]
    [InlineData(503, "<html>503 Service Unavailable</html>", false)]
    [InlineData(502, "<html>502 Bad Gateway</html>", false)]
    public async Task ARequestThatMayOnlyGoOutOnceIsSentAgainOnlyAfterZulipsOwnRateLimit(int status, string body, bool retried)
    {
        // Zulip's rate limiter answers before the view runs, so its 429 proves the rotation did not happen; a
        // proxy's 429 or a 5xx may come after the server acted.
        var handler = new StubHandler(_ => TestSupport.Answer(status, body));
        var transport = new HttpTransport(Pooled(handler, ProxyMode.None), TimeSpan.FromSeconds(5), TestSupport.UserAgent);
        var response = await transport.SendAsync(new ZulipRequest(HttpMethod.Post, new Uri("https://chat.example.com/api/v1/users/me/api_key/regenerate")), CancellationToken.None);

        var failure = ZulipErrorMapper.FromResponse(ZulipEndpoint.UsersMe, response);

        Assert.Equal(retried, new RetryPolicy(3, TimeSpan.FromSeconds(1)).NextDelay(failure, 0).HasValue);
    }

    // ---- Limits that must be Zulip errors ----

    [Fact]
    public async Task ATimeoutLargerThanThePlatformCanTimeMeansNoLimit()
    {
        var handler = Succeeds();
        var client = new ZulipClient(Pooled(handler, ProxyMode.None), TimeSpan.FromSeconds(int.MaxValue), TestSupport.UserAgent);

        var fetched = await Login(client, "https://chat.example.com/");

        Assert.Equal("iago@zulip.com", fetched.Email);
        Assert.False(HttpTransport.HasTimeLimit(TimeSpan.FromSeconds(int.MaxValue)));
        Assert.True(HttpTransport.HasTimeLimit(TimeSpan.FromDays(24)));
        Assert.False(HttpTransport.HasTimeLimit(TimeSpan.Zero));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task ACompressedAnswerThatIsNotCompressedDataIsUnexpected(string encoding)
    {
        var garbage = $"this is not {encoding} data, not at all";
        await using var server = new RawHttpServer(_ =>
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: {encoding}\r\nContent-Length: {garbage.Length}\r\nConnection: close\r\n\r\n{garbage}");
        var client = new ZulipClient(HttpClientPool.Get(new TransportOptions { ProxyMode = ProxyMode.None }), TimeSpan.FromSeconds(5), TestSupport.UserAgent);

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => client.GetServerSettingsAsync(server.Url, CancellationToken.None));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
        Assert.Contains("decompressed", e.Message);
    }

    // ---- Retry-After, read in one place ----

    [Theory]
    [InlineData("NaN", null)]
    [InlineData("-1", null)]
    [InlineData("soon", null)]
    [InlineData("", null)]
    [InlineData("0.5", 0.5)]
    [InlineData("1e309", 365 * 86400.0)]
    [InlineData("Infinity", 365 * 86400.0)]
    [InlineData("1e30", 365 * 86400.0)]
    public void RetryAfterIsReadAndCappedInOnePlace(string header, double? seconds)
    {
        var wait = RetryAfter.FromHeader(header, DateTimeOffset.UtcNow);

        Assert.Equal(seconds, wait?.TotalSeconds);
    }

    private sealed class ThrowingProxy : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => throw new InvalidOperationException("the PAC script failed");

        public bool IsBypassed(Uri host) => throw new InvalidOperationException("the PAC script failed");
    }
}
