using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>Redirects, size limits, timeouts, cancellation and network failures, at the handler level.</summary>
public class ZulipClientTransportTests
{
    private const string FetchUrl = "https://chat.example.com/api/v1/fetch_api_key";
    private const string SettingsJson =
        """{"authentication_methods":{"password":true,"dev":false,"email":true,"ldap":false,"remoteuser":false,"github":false,"azuread":false,"gitlab":false,"apple":false,"google":false,"saml":false,"openid connect":false},"zulip_version":"9.2","zulip_merge_base":"9.2","zulip_feature_level":278,"push_notifications_enabled":false,"is_incompatible":false,"email_auth_enabled":true,"require_email_format_usernames":true,"realm_uri":"https://chat.example.com","realm_url":"https://chat.example.com","realm_name":"Example","realm_icon":"https://chat.example.com/static/images/logo/zulip-icon-128x128.png","realm_description":"<p>Example</p>","realm_web_public_access_enabled":false,"external_authentication_methods":[],"result":"success","msg":""}""";
    private const string SuccessJson = """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""";
    private const string OwnUserJson = """{"result":"success","msg":"","email":"iago@zulip.com","user_id":5,"full_name":"Iago","is_admin":true,"profile_data":{}}""";

    private static Task<FetchedApiKey> Fetch(ZulipClient client, CancellationToken token = default) =>
        client.FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("abcd1234"), token);

    private static HttpResponseMessage Redirect(int status, string location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("<html><body>Moved</body></html>", Encoding.UTF8, "text/html") };
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    }

    // ---- Redirects ----

    [Theory]
    [InlineData(301, "https://zulip.example.org/api/v1/fetch_api_key")]
    [InlineData(302, "https://chat.example.com/login/")]
    [InlineData(307, "https://chat.example.com/api/v1/fetch_api_key/")]
    [InlineData(308, "https://other.example.net/api/v1/fetch_api_key")]
    public async Task ARedirectAnswerToThePasswordPostIsNeverFollowed(int status, string location)
    {
        var handler = new StubHandler(_ => Redirect(status, location));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Contains(location, e.Message);
        Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, handler.Requests.Single().Method);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task AnHttpToHttpsRedirectOfThePasswordPostSuggestsTheHttpsUrl()
    {
        var handler = new StubHandler(_ => Redirect(301, "https://chat.example.com/api/v1/fetch_api_key"));
        var client = TestSupport.Client(handler);
        client.AllowUnencryptedAuthentication = true;

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            client.FetchApiKeyAsync(new Uri("http://chat.example.com/"), "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Single(handler.Requests);
        Assert.Contains("https://chat.example.com", e.Hint);
    }

    [Fact]
    public async Task ARelativeLocationIsReportedAbsolute()
    {
        var handler = new StubHandler(_ => Redirect(302, "/accounts/login/"));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Contains("https://chat.example.com/accounts/login/", e.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ARedirectStatusWithoutLocationIsStillARedirect()
    {
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.Found));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ServerSettingsFollowsASameHostRedirectFromHttpToHttps()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, "http://chat.example.com/api/v1/server_settings")
            .Respond(_ => Redirect(301, "https://chat.example.com/api/v1/server_settings"));
        mock.Expect(HttpMethod.Get, "https://chat.example.com/api/v1/server_settings")
            .Respond("application/json", SettingsJson);
        var client = new ZulipClient(mock.ToHttpClient(), TimeSpan.FromSeconds(5), TestSupport.UserAgent);

        var settings = await client.GetServerSettingsAsync(new Uri("http://chat.example.com/"), CancellationToken.None);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(new Uri("https://chat.example.com"), settings.RealmUrl);
        Assert.Equal(278, settings.ZulipFeatureLevel);
    }

    [Fact]
    public async Task ServerSettingsFollowsARelativeSameHostRedirect()
    {
        var handler = new StubHandler(req => req.RequestUri!.AbsolutePath == "/api/v1/server_settings"
            ? Redirect(302, "/zulip-api/server_settings")
            : TestSupport.Answer(200, SettingsJson));

        var settings = await TestSupport.Client(handler).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None);

        Assert.Equal("Example", settings.RealmName);
        Assert.Equal(
            new[] { "https://chat.example.com/api/v1/server_settings", "https://chat.example.com/zulip-api/server_settings" },
            handler.Requests.Select(r => r.Uri.AbsoluteUri));
    }

    [Theory]
    [InlineData(301, "https://chat.example.org/api/v1/server_settings")]
    [InlineData(302, "https://evil.example.net/api/v1/server_settings")]
    [InlineData(307, "https://sub.chat.example.com/api/v1/server_settings")]
    public async Task ServerSettingsDoesNotFollowARedirectToAnotherHost(int status, string location)
    {
        var handler = new StubHandler(req => req.RequestUri!.Host == "chat.example.com"
            ? Redirect(status, location)
            : TestSupport.Answer(200, SettingsJson));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Contains(location, e.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ServerSettingsDoesNotFollowADowngradeFromHttpsToHttp()
    {
        var handler = new StubHandler(req => req.RequestUri!.Scheme == "https"
            ? Redirect(301, "http://chat.example.com/api/v1/server_settings")
            : TestSupport.Answer(200, SettingsJson));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ServerSettingsStopsFollowingARedirectLoop()
    {
        var handler = new StubHandler(req => Redirect(302, req.RequestUri!.AbsolutePath == "/a" ? "/b" : "/a"));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        Assert.InRange(handler.Requests.Count, 2, 11);
    }

    [Theory]
    [InlineData(301, "https://chat.example.com/api/v1/users/me/")]
    [InlineData(307, "https://other.example.net/api/v1/users/me")]
    public async Task UsersMeWithAuthorizationNeverFollowsARedirect(int status, string location)
    {
        var handler = new StubHandler(req => req.RequestUri!.AbsoluteUri == "https://chat.example.com/api/v1/users/me"
            ? Redirect(status, location)
            : TestSupport.Answer(200, OwnUserJson));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            TestSupport.Client(handler).GetOwnUserAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), CancellationToken.None));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        var only = Assert.Single(handler.Requests);
        Assert.NotNull(only.Authorization);
    }

    [Fact]
    public async Task NotModifiedIsNotTakenForARedirect()
    {
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.NotModified));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
    }

    // ---- Size limit ----

    [Fact]
    public async Task ABodyDeclaredLargerThanOneMebibyteIsRefusedWithoutReadingIt()
    {
        var stream = new EndlessStream();
        var handler = new StubHandler(_ =>
        {
            var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            content.Headers.ContentLength = HttpTransport.MaxResponseBytes + 1L;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
        Assert.Contains("1 MiB", e.Message);
        Assert.Equal(0, stream.Served);
    }

    [Fact]
    public async Task ARealTwoMebibyteBodyWithContentLengthIsRefused()
    {
        var big = "{\"result\":\"success\",\"msg\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        var handler = new StubHandler(_ => TestSupport.Answer(200, big));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
    }

    [Fact]
    public async Task AnEndlessBodyWithoutContentLengthIsCutOffAfterOneMebibyte()
    {
        var stream = new EndlessStream();
        var handler = new StubHandler(_ =>
        {
            var content = new StreamContent(stream, 4096);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            Assert.Null(content.Headers.ContentLength);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
        Assert.InRange(stream.Served, HttpTransport.MaxResponseBytes, HttpTransport.MaxResponseBytes + 64 * 1024);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyOfExactlyOneMebibyteIsStillRead(bool withContentLength)
    {
        var padded = PadTo(SuccessJson, HttpTransport.MaxResponseBytes);
        var handler = new StubHandler(_ => BodyResponse(padded, withContentLength));

        var fetched = await Fetch(TestSupport.Client(handler));

        Assert.Equal(TestSupport.IagoKey, TestSupport.Reveal(fetched.ApiKey));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyOneByteOverOneMebibyteIsRefused(bool withContentLength)
    {
        var padded = PadTo(SuccessJson, HttpTransport.MaxResponseBytes + 1);
        var handler = new StubHandler(_ => BodyResponse(padded, withContentLength));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
    }

    private static byte[] PadTo(string json, int size)
    {
        var bytes = new byte[size];
        Array.Fill(bytes, (byte)' ');
        Encoding.UTF8.GetBytes(json, 0, json.Length, bytes, 0);
        return bytes;
    }

    private static HttpResponseMessage BodyResponse(byte[] body, bool withContentLength)
    {
        // A non-seekable stream gives no Content-Length, as a chunked answer does.
        HttpContent content = withContentLength ? new ByteArrayContent(body) : new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(withContentLength, content.Headers.ContentLength.HasValue);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    // ---- Timeouts and cancellation ----

    [Fact]
    public async Task AServerThatNeverAnswersGivesZulipTimeoutWithinTheLimitPlusOneSecond()
    {
        var handler = new StubHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var client = TestSupport.Client(handler, TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(client));

        clock.Stop();
        Assert.Equal(ZulipErrorId.Timeout, e.ErrorId);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2));
        Assert.Contains("1 s", e.Message);
        Assert.Null(e.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyThatStallsGivesZulipTimeout(bool streamHonoursToken)
    {
        var stream = new ScriptedStream(Encoding.UTF8.GetBytes("{\"result\":\"succ"), null, streamHonoursToken);
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) });
        var client = TestSupport.Client(handler, TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(client));

        clock.Stop();
        Assert.Equal(ZulipErrorId.Timeout, e.ErrorId);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task ATimeoutOfZeroMeansNoLimit()
    {
        var handler = new StubHandler(async (_, token) =>
        {
            await Task.Delay(300, token);
            return TestSupport.Answer(200, SuccessJson);
        });

        var fetched = await Fetch(TestSupport.Client(handler, TimeSpan.Zero));

        Assert.Equal("iago@zulip.com", fetched.Email);
    }

    [Fact]
    public async Task CancellingTheCallersTokenGivesOperationCanceledPromptly()
    {
        var handler = new StubHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var client = TestSupport.Client(handler, TimeSpan.FromSeconds(30));
        using var stop = new CancellationTokenSource();
        var call = Fetch(client, stop.Token);
        await Task.Delay(200);
        var clock = Stopwatch.StartNew();

        stop.Cancel();
        var e = await Record.ExceptionAsync(() => call);

        clock.Stop();
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CancellingWhileTheBodyIsReadGivesOperationCanceled(bool streamHonoursToken)
    {
        var stream = new ScriptedStream(Encoding.UTF8.GetBytes("{\"result\":\"succ"), null, streamHonoursToken);
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) });
        var client = TestSupport.Client(handler, TimeSpan.FromSeconds(30));
        using var stop = new CancellationTokenSource();
        var call = Fetch(client, stop.Token);
        await Task.Delay(200);
        var clock = Stopwatch.StartNew();

        stop.Cancel();
        var e = await Record.ExceptionAsync(() => call);

        clock.Stop();
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ACancellationThatArrivesWithTheHeadersGivesOperationCanceled()
    {
        // The handler answers although the token is already cancelled: the moment Ctrl+C lands just as the headers arrive.
        var handler = new StubHandler(_ => TestSupport.Answer(200, SuccessJson));
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        var e = await Record.ExceptionAsync(() => Fetch(TestSupport.Client(handler), stop.Token));

        Assert.True(e is OperationCanceledException, e?.ToString());
    }

    // ---- Network failures ----

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "refused")]
    [InlineData(SocketError.HostNotFound, "could not be resolved")]
    [InlineData(SocketError.TryAgain, "could not be resolved")]
    [InlineData(SocketError.ConnectionReset, "closed before the answer was complete")]
    [InlineData(SocketError.NetworkUnreachable, "Could not reach")]
    public async Task SocketFailuresAreTransientConnectionFailures(SocketError error, string expectedText)
    {
        var socket = new SocketException((int)error);
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("An error occurred while sending the request.", socket)));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.ConnectionFailed, e.ErrorId);
        Assert.True(e.IsTransient);
        Assert.Null(e.StatusCode);
        Assert.Contains(expectedText, e.Message);
        Assert.Same(socket, e.InnerException?.InnerException);
    }

    [Fact]
    public async Task ACertificateFailureIsACertificateErrorAndNotTransient()
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("The SSL connection could not be established, see inner exception.",
                new AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot"))));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.CertificateError, e.ErrorId);
        Assert.False(e.IsTransient);
        Assert.Contains("chat.example.com", e.Message);
    }

#pragma warning disable SYSLIB0014 // WebException is what .NET Framework's handler throws.
    [Theory]
    [InlineData(WebExceptionStatus.TrustFailure, ZulipErrorId.CertificateError)]
    [InlineData(WebExceptionStatus.SecureChannelFailure, ZulipErrorId.CertificateError)]
    [InlineData(WebExceptionStatus.NameResolutionFailure, ZulipErrorId.ConnectionFailed)]
    [InlineData(WebExceptionStatus.ConnectFailure, ZulipErrorId.ConnectionFailed)]
    public async Task NetFrameworkWebExceptionsAreMappedToo(WebExceptionStatus status, string errorId)
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("An error occurred while sending the request.", new WebException("The remote name could not be resolved", status))));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(errorId, e.ErrorId);
        if (status == WebExceptionStatus.NameResolutionFailure)
        {
            Assert.Contains("could not be resolved", e.Message);
        }
    }
#pragma warning restore SYSLIB0014

    [Fact]
    public async Task AConnectionClosedMidBodyIsATransientConnectionFailure()
    {
        var stream = new ScriptedStream(Encoding.UTF8.GetBytes("{\"result\":\"success\",\"msg\":\"\",\"api_k"), new IOException("Unable to read data from the transport connection: Connection reset by peer."), honourToken: true);
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) });

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.ConnectionFailed, e.ErrorId);
        Assert.True(e.IsTransient);
        Assert.Contains("closed before the answer was complete", e.Message);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public async Task AServerThatEndsTheBodyEarlyIsAConnectionFailure()
    {
        // .NET reports "The response ended prematurely" as an HttpIOException (an IOException).
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("An error occurred while sending the request.", new IOException("The response ended prematurely."))));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.ConnectionFailed, e.ErrorId);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task OneClientServesManyRequestsAfterAFailure()
    {
        var calls = 0;
        var handler = new StubHandler((_, _) => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<HttpResponseMessage>(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)))
            : Task.FromResult(TestSupport.Answer(200, SuccessJson)));
        var client = TestSupport.Client(handler);

        await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(client));
        var fetched = await Fetch(client);

        Assert.Equal("iago@zulip.com", fetched.Email);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task ConcurrentRequestsThroughOneClientEachGetTheirOwnAnswer()
    {
        var handler = new StubHandler(async (req, token) =>
        {
            var body = await req.Content!.ReadAsStringAsync(token);
            var user = System.Web.HttpUtility.ParseQueryString(body)["username"]!;
            await Task.Delay(Random.Shared.Next(1, 20), token);
            return TestSupport.Answer(200, $$"""{"result":"success","msg":"","api_key":"key-{{user.Split('@')[0]}}-0123456789abcdefghijklm","email":"{{user}}"}""");
        });
        var client = TestSupport.Client(handler);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            client.FetchApiKeyAsync(TestSupport.Server, $"user{i}@zulip.com", TestSupport.Secure("pw" + i), CancellationToken.None)));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal($"user{i}@zulip.com", results[i].Email);
            Assert.StartsWith($"key-user{i}-", TestSupport.Reveal(results[i].ApiKey));
        }
    }
}
