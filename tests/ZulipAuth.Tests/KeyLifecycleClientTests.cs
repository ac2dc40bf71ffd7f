using System.Net;
using System.Net.Sockets;
using System.Text;
using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// The rotation, bot and JWT routes: each answer of key-lifecycle-and-web-login.md to its ErrorId, what is sent,
/// and which failures a request that must not run twice may be retried after.
/// </summary>
public class KeyLifecycleClientTests
{
    private const string Base = "https://chat.example.com/api/v1/";
    private const string NewKey = "hkA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJlbWFpbCI6ImhhbWxldEB6dWxpcC5jb20ifQ.EsHxSVt54zPR-ywgPH54TB1FYmrGKsfq7hsQEhp_9w0";

    private static string Error(string msg, string? code = "BAD_REQUEST") =>
        "{\"result\":\"error\",\"msg\":\"" + msg + "\"" + (code == null ? string.Empty : ",\"code\":\"" + code + "\"") + "}";

    private static ZulipClient ClientFor(int status, string body, out StubHandler handler)
    {
        handler = new StubHandler(_ => TestSupport.Answer(status, body));
        return TestSupport.Client(handler);
    }

    private static async Task<ZulipApiException> Fails(Func<ZulipClient, Task> call, int status, string body)
    {
        var client = ClientFor(status, body, out _);
        return await Assert.ThrowsAsync<ZulipApiException>(() => call(client));
    }

    private static Task Regenerate(ZulipClient c) => c.RegenerateApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), CancellationToken.None);

    private static Task RegenerateBot(ZulipClient c) => c.RegenerateBotApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), 40, CancellationToken.None);

    private static Task BotKey(ZulipClient c) => c.GetBotApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), 40, CancellationToken.None);

    private static Task JwtFetch(ZulipClient c) => c.JwtFetchApiKeyAsync(TestSupport.Server, TestSupport.Secure(Jwt), CancellationToken.None);

    // ---------------------------------------------------------------------------------------------------
    // POST users/me/api_key/regenerate

    [Fact]
    public async Task RegenerateSendsBasicAuthWithNoBodyAndReturnsTheNewKey()
    {
        var mock = new MockHttpMessageHandler();
        string? authorization = null;
        mock.Expect(HttpMethod.Post, Base + "users/me/api_key/regenerate").Respond(req =>
        {
            authorization = req.Headers.Authorization?.ToString();
            Assert.Null(req.Content);
            return TestSupport.Answer(200, "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"" + NewKey + "\"}");
        });

        var key = await TestSupport.Client(mock).RegenerateApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), CancellationToken.None);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(NewKey, TestSupport.Reveal(key));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("iago@zulip.com:" + TestSupport.IagoKey)), authorization);
    }

    [Theory]
    [InlineData("Invalid API key", ZulipErrorId.InvalidApiKey)]
    [InlineData("Malformed API key", ZulipErrorId.InvalidApiKey)]
    [InlineData("Invalid authorization header for basic auth", ZulipErrorId.InvalidApiKey)]
    [InlineData("Not logged in: API authentication or user session required", ZulipErrorId.InvalidApiKey)]
    [InlineData("Account is not associated with this subdomain", ZulipErrorId.InvalidApiKey)]
    [InlineData("Account is deactivated", ZulipErrorId.UserDeactivated)]
    [InlineData("This organization has been deactivated", ZulipErrorId.RealmDeactivated)]
    [InlineData("This API is not available to incoming webhook bots.", ZulipErrorId.BotCallerNotAllowed)]
    public async Task RegenerateMapsEach401(string msg, string errorId)
    {
        var failure = await Fails(Regenerate, 401, Error(msg, "UNAUTHORIZED"));

        Assert.Equal(errorId, failure.ErrorId);
        Assert.Equal(msg, failure.ServerMessage);
        Assert.StartsWith(msg, failure.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(failure.Hint));
        Assert.False(failure.IsTransient);
        Assert.DoesNotContain(TestSupport.IagoKey, string.Join("\n", TestSupport.ExposedText(failure)));
    }

    [Fact]
    public async Task ASuccessWithoutAKeySaysTheKeyWasProbablyRotated()
    {
        var failure = await Fails(Regenerate, 200, "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"short\"}");

        Assert.Equal(ZulipErrorId.UnexpectedResponse, failure.ErrorId);
        Assert.Contains("probably regenerated", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonBasicSchemeIsARejectedRequest()
    {
        var failure = await Fails(Regenerate, 400, Error("This endpoint requires HTTP basic authentication."));

        Assert.Equal(ZulipErrorId.RequestRejected, failure.ErrorId);
    }

    // ---------------------------------------------------------------------------------------------------
    // Bots

    public static TheoryData<int, string, string?, string> BotRefusals => new()
    {
        { 400, "Not allowed for guest users", "BAD_REQUEST", ZulipErrorId.GuestNotAllowed },
        { 400, "This endpoint does not accept bot requests.", "BAD_REQUEST", ZulipErrorId.BotCallerNotAllowed },
        { 400, "No such bot", "BAD_REQUEST", ZulipErrorId.NoSuchBot },
        { 400, "Insufficient permission", "BAD_REQUEST", ZulipErrorId.InsufficientPermission },
        { 400, "Must be an organization owner", "UNAUTHORIZED_PRINCIPAL", ZulipErrorId.OwnerRequired },
        { 401, "Invalid API key", "UNAUTHORIZED", ZulipErrorId.InvalidApiKey },
        { 401, "Account is deactivated", "UNAUTHORIZED", ZulipErrorId.UserDeactivated },
    };

    [Theory]
    [MemberData(nameof(BotRefusals))]
    public async Task RegenerateBotMapsEachRefusal(int status, string msg, string? code, string errorId)
    {
        var failure = await Fails(RegenerateBot, status, Error(msg, code));

        Assert.Equal(errorId, failure.ErrorId);
        Assert.Equal(code, failure.Code);
        Assert.StartsWith(msg, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BotRefusals))]
    public async Task GetBotKeyMapsEachRefusal(int status, string msg, string? code, string errorId)
    {
        var failure = await Fails(BotKey, status, Error(msg, code));

        Assert.Equal(errorId, failure.ErrorId);
    }

    [Fact]
    public async Task AnOwnerRequiredWithAnUnknownMessageStillMapsByItsCode()
    {
        var failure = await Fails(RegenerateBot, 400, Error("Must be an organization owner to do that", "UNAUTHORIZED_PRINCIPAL"));

        Assert.Equal(ZulipErrorId.OwnerRequired, failure.ErrorId);
    }

    [Fact]
    public async Task ABotKeyRouteThatDoesNotExistIsFeatureUnsupported()
    {
        var failure = await Fails(BotKey, 404, "<html><title>Page not found | Zulip</title></html>");

        Assert.Equal(ZulipErrorId.FeatureUnsupported, failure.ErrorId);
        Assert.Contains("463", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBotRoutesUseTheNumericIdInThePath()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, Base + "bots/40/api_key").Respond("application/json", "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"" + NewKey + "\"}");
        mock.Expect(HttpMethod.Post, Base + "bots/40/api_key/regenerate").Respond("application/json", "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"" + NewKey + "\"}");
        var client = TestSupport.Client(mock);

        Assert.Equal(NewKey, TestSupport.Reveal(await client.GetBotApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), 40, CancellationToken.None)));
        Assert.Equal(NewKey, TestSupport.Reveal(await client.RegenerateBotApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), 40, CancellationToken.None)));
        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task TheOwnBotsListGivesEmailsAndKeysAndSkipsMalformedKeys()
    {
        var client = ClientFor(200, "{\"result\":\"success\",\"msg\":\"\",\"bots\":[{\"username\":\"a-bot@zulip.com\",\"full_name\":\"A\",\"api_key\":\"" + NewKey + "\"},{\"username\":\"b-bot@zulip.com\",\"api_key\":\"x y\"},{\"full_name\":\"no name\"}]}", out _);

        var bots = await client.GetOwnBotsAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), CancellationToken.None);

        Assert.Equal(new[] { "a-bot@zulip.com", "b-bot@zulip.com" }, bots.Select(b => b.Email));
        Assert.Equal(NewKey, TestSupport.Reveal(bots[0].ApiKey!));
        Assert.Null(bots[1].ApiKey);
    }

    [Fact]
    public async Task AUserLookupEscapesTheEmailAndReadsTheNestedUser()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, Base + "users/bot%2Bci%40zulip.com").Respond("application/json",
            "{\"result\":\"success\",\"msg\":\"\",\"user\":{\"email\":\"bot+ci@zulip.com\",\"user_id\":40,\"is_bot\":true,\"bot_type\":3,\"bot_owner_id\":10,\"role\":400,\"delivery_email\":\"bot+ci@zulip.com\"}}");

        var user = await TestSupport.Client(mock).GetUserAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), "bot+ci@zulip.com", CancellationToken.None);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(40, user.UserId);
        Assert.True(user.IsBot);
        Assert.Equal(3, user.BotType);
        Assert.Equal(10, user.BotOwnerId);
    }

    [Fact]
    public async Task AnUnknownUserIsNoSuchUser()
    {
        var failure = await Fails(c => c.GetUserAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), "nobody@zulip.com", CancellationToken.None), 400, Error("No such user"));

        Assert.Equal(ZulipErrorId.NoSuchUser, failure.ErrorId);
    }

    [Fact]
    public async Task TheServiceTokenComesFromRealmBotsOfRegister()
    {
        var client = ClientFor(200, "{\"result\":\"success\",\"msg\":\"\",\"queue_id\":\"1:0\",\"realm_bots\":[{\"user_id\":41,\"services\":[]},{\"user_id\":42,\"services\":[{\"base_url\":\"https://bots.example.com\",\"interface\":1,\"token\":\"tok123\"}]}]}", out var handler);

        var token = await client.GetOutgoingWebhookTokenAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), 42, CancellationToken.None);

        Assert.Equal("tok123", TestSupport.Reveal(token!));
        Assert.Null(await client.GetOutgoingWebhookTokenAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(TestSupport.IagoKey), 41, CancellationToken.None));
    }

    // ---------------------------------------------------------------------------------------------------
    // JWT

    [Fact]
    public async Task JwtPostsTheTokenAndIncludeProfileAndTakesTheUserIdFromTheUser()
    {
        var mock = new MockHttpMessageHandler();
        string? body = null;
        mock.Expect(HttpMethod.Post, Base + "jwt/fetch_api_key").Respond(async req =>
        {
            body = await req.Content!.ReadAsStringAsync();
            Assert.Null(req.Headers.Authorization);
            return TestSupport.Answer(200, "{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"" + NewKey + "\",\"email\":\"hamlet@zulip.com\",\"user\":{\"user_id\":10,\"email\":\"hamlet@zulip.com\"}}");
        });

        var fetched = await TestSupport.Client(mock).JwtFetchApiKeyAsync(TestSupport.Server, TestSupport.Secure(Jwt), CancellationToken.None);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal("token=" + Jwt + "&include_profile=true", body);
        Assert.Equal(10, fetched.UserId);
        Assert.Equal("hamlet@zulip.com", fetched.Email);
        Assert.Equal(NewKey, TestSupport.Reveal(fetched.ApiKey));
    }

    public static TheoryData<int, string, string?, string> JwtAnswers => new()
    {
        { 404, "Invalid subdomain", "NONEXISTENT_SUBDOMAIN", ZulipErrorId.InvalidSubdomain },
        { 400, "JWT authentication is not enabled for this organization", "BAD_REQUEST", ZulipErrorId.JwtNotEnabled },
        { 400, "No JSON web token passed in request", "BAD_REQUEST", ZulipErrorId.JwtInvalid },
        { 400, "Bad JSON web token", "BAD_REQUEST", ZulipErrorId.JwtInvalid },
        { 400, "No email specified in JSON web token claims", "BAD_REQUEST", ZulipErrorId.JwtNoEmail },
        { 401, "This organization has been deactivated", "REALM_DEACTIVATED", ZulipErrorId.RealmDeactivated },
        { 401, "Account is deactivated", "USER_DEACTIVATED", ZulipErrorId.UserDeactivated },
        { 401, "Your username or password is incorrect", "AUTHENTICATION_FAILED", ZulipErrorId.AuthenticationFailed },
    };

    [Theory]
    [MemberData(nameof(JwtAnswers))]
    public async Task JwtMapsEachAnswerAndNeverShowsTheToken(int status, string msg, string? code, string errorId)
    {
        var failure = await Fails(JwtFetch, status, Error(msg, code));

        Assert.Equal(errorId, failure.ErrorId);
        Assert.Equal(msg, failure.ServerMessage);
        var exposed = string.Join("\n", TestSupport.ExposedText(failure));
        Assert.DoesNotContain(Jwt, exposed, StringComparison.Ordinal);
        Assert.DoesNotContain("password", failure.Hint ?? string.Empty, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AServerWithoutTheJwtRouteIsFeatureUnsupported()
    {
        var failure = await Fails(JwtFetch, 404, "<html><title>Page not found | Zulip</title></html>");

        Assert.Equal(ZulipErrorId.FeatureUnsupported, failure.ErrorId);
        Assert.Contains("160", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJwtRedirectIsNotFollowed()
    {
        var handler = new StubHandler(_ =>
        {
            var r = TestSupport.Answer(301, string.Empty, null);
            r.Headers.Location = new Uri("https://evil.example.net/api/v1/jwt/fetch_api_key");
            return r;
        });

        var failure = await Assert.ThrowsAsync<ZulipApiException>(() => JwtFetch(TestSupport.Client(handler)));

        Assert.Equal(ZulipErrorId.Redirected, failure.ErrorId);
        Assert.Single(handler.Requests);
    }

    // ---------------------------------------------------------------------------------------------------
    // Which failures prove a request never reached Zulip

    [Theory]
    [InlineData(SocketError.ConnectionRefused, true)]
    [InlineData(SocketError.HostNotFound, true)]
    [InlineData(SocketError.ConnectionReset, false)]
    [InlineData(SocketError.TimedOut, false)]
    public async Task OnlyAConnectionThatNeverOpenedIsCertainlyNotSent(SocketError error, bool notSent)
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("failed", new SocketException((int)error))));

        var failure = await Assert.ThrowsAsync<ZulipApiException>(() => Regenerate(TestSupport.Client(handler)));

        Assert.Equal(notSent, RetryPolicy.MaySendAgain(failure));
    }

    [Theory]
    [InlineData(429, "{\"result\":\"error\",\"msg\":\"API usage exceeded rate limit\",\"code\":\"RATE_LIMIT_HIT\",\"retry-after\":0.5}", true)]
    [InlineData(502, "<html>502 Bad Gateway</html>", false)]
    [InlineData(503, "<html>503 Service Temporarily Unavailable</html>", false)]
    [InlineData(504, "<html>504 Gateway Time-out</html>", false)]
    [InlineData(500, "{\"result\":\"error\",\"msg\":\"Internal server error\",\"code\":\"BAD_REQUEST\"}", false)]
    public async Task OnlyZulipsOwnRateLimitAmongAnswersIsCertainlyNotSent(int status, string body, bool notSent)
    {
        var failure = await Fails(Regenerate, status, body);

        Assert.Equal(notSent, RetryPolicy.MaySendAgain(failure));
    }

    [Fact]
    public async Task ATimeoutIsNotCertainlyNotSent()
    {
        var handler = new StubHandler(async (_, token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), token);
            return TestSupport.Answer(200, "{}");
        });

        var failure = await Assert.ThrowsAsync<ZulipApiException>(() => Regenerate(TestSupport.Client(handler, TimeSpan.FromMilliseconds(100))));

        Assert.Equal(ZulipErrorId.Timeout, failure.ErrorId);
        Assert.False(RetryPolicy.MaySendAgain(failure));
    }
}
