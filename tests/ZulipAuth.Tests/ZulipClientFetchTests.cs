using System.Net;
using System.Text;
using System.Web;
using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>POST /api/v1/fetch_api_key: the request as sent, the success answer, and every failure answer.</summary>
public class ZulipClientFetchTests
{
    private const string FetchUrl = "https://chat.example.com/api/v1/fetch_api_key";

    private static ZulipClient ClientFor(MockHttpMessageHandler mock, string userAgent = TestSupport.UserAgent) =>
        new(mock.ToHttpClient(), TimeSpan.FromSeconds(5), userAgent);

    private static Task<FetchedApiKey> Fetch(ZulipClient client, string username = "iago@zulip.com", string password = "abcd1234") =>
        client.FetchApiKeyAsync(TestSupport.Server, username, TestSupport.Secure(password), CancellationToken.None);

    [Fact]
    public async Task SuccessGivesTheKeyInAReadOnlySecureString()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, FetchUrl).Respond("application/json",
            """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""");

        var fetched = await Fetch(ClientFor(mock));

        Assert.True(fetched.ApiKey.IsReadOnly());
        Assert.Equal(32, fetched.ApiKey.Length);
        Assert.Equal("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv", TestSupport.Reveal(fetched.ApiKey));
        Assert.Equal("iago@zulip.com", fetched.Email);
        Assert.Equal(5, fetched.UserId);
        Assert.Equal(TestSupport.Server, fetched.Server);
        Assert.Empty(fetched.IgnoredParameters);
    }

    [Fact]
    public async Task EmailIsTheOneTheServerReturnedNotTheLdapLoginName()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, FetchUrl).Respond("application/json",
            """{"result":"success","msg":"","api_key":"QxZ5mUu9v2bH0Mt3kPpRr7sLwYy1AaCc","email":"Jane.Doe@Example.COM","user_id":42}""");

        var fetched = await Fetch(ClientFor(mock), username: "jdoe", password: "ldap-secret");

        Assert.Equal("Jane.Doe@Example.COM", fetched.Email);
        Assert.Equal(42, fetched.UserId);
        Assert.Equal("QxZ5mUu9v2bH0Mt3kPpRr7sLwYy1AaCc", TestSupport.Reveal(fetched.ApiKey));
    }

    [Fact]
    public async Task UserIdIsNullWhenAnOldServerLeavesItOut()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, FetchUrl).Respond("application/json",
            """{"msg":"","result":"success","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com"}""");

        var fetched = await Fetch(ClientFor(mock));

        Assert.Null(fetched.UserId);
        Assert.Equal("iago@zulip.com", fetched.Email);
    }

    [Fact]
    public async Task IgnoredParametersUnsupportedAreReported()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, FetchUrl).Respond("application/json",
            """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5,"ignored_parameters_unsupported":["otp","client_name"]}""");

        var fetched = await Fetch(ClientFor(mock));

        Assert.Equal(new[] { "otp", "client_name" }, fetched.IgnoredParameters);
        Assert.Equal(5, fetched.UserId);
    }

    [Fact]
    public async Task RequestIsOneFormPostToFetchApiKeyWithTheUserAgent()
    {
        const string userAgent = "ZulipAuth/0.1.0 (Core 7.6.0; Linux 6.8.0-45-generic)";
        var mock = new MockHttpMessageHandler();
        HttpMethod? method = null;
        Uri? uri = null;
        string? contentType = null, agent = null, authorization = null, accept = null;
        var calls = 0;
        mock.Fallback.Respond(req =>
        {
            Interlocked.Increment(ref calls);
            method = req.Method;
            uri = req.RequestUri;
            contentType = req.Content?.Headers.ContentType?.ToString();
            agent = req.Headers.UserAgent.ToString();
            authorization = req.Headers.Authorization?.ToString();
            accept = req.Headers.Accept.ToString();
            return TestSupport.Answer(200, """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""");
        });

        await Fetch(ClientFor(mock, userAgent));

        Assert.Equal(1, calls);
        Assert.Equal(HttpMethod.Post, method);
        Assert.Equal(FetchUrl, uri!.AbsoluteUri);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", contentType);
        Assert.Equal(userAgent, agent);
        Assert.Null(authorization);
        Assert.Contains("application/json", accept);
    }

    [Theory]
    [InlineData("https://chat.example.com/", "https://chat.example.com/api/v1/fetch_api_key")]
    [InlineData("https://chat.example.com:8443/", "https://chat.example.com:8443/api/v1/fetch_api_key")]
    [InlineData("http://localhost:9991/", "http://localhost:9991/api/v1/fetch_api_key")]
    public async Task PostsUnderTheServerRoot(string server, string expected)
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Post, expected).Respond("application/json",
            """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""");

        var fetched = await ClientFor(mock).FetchApiKeyAsync(new Uri(server), "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(new Uri(server), fetched.Server);
    }

    [Theory]
    [InlineData("iago@zulip.com", "abcd1234")]
    [InlineData("iago+test@zulip.com", "p&=+% ü€😀;\"'\\")]
    [InlineData("jdoe", "a+b=c&d=e%20f")]
    [InlineData("ü.ser@bücher.example", "  leading and trailing  ")]
    [InlineData("iago@zulip.com", "%41%2B+")]
    [InlineData("iago@zulip.com", "tab\tnew\r\nline#?/")]
    [InlineData("iago@zulip.com", "")]
    [InlineData("iago@zulip.com", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 パスワード Ωmega")]
    public async Task UsernameAndPasswordRoundTripThroughAStandardFormDecoder(string username, string password)
    {
        var mock = new MockHttpMessageHandler();
        byte[]? body = null;
        mock.When(HttpMethod.Post, FetchUrl).Respond(async req =>
        {
            body = await req.Content!.ReadAsByteArrayAsync();
            return TestSupport.Answer(200, """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""");
        });

        await Fetch(ClientFor(mock), username, password);

        Assert.NotNull(body);
        Assert.All(body!, b => Assert.True(b is > 0x20 and < 0x7F, $"byte 0x{b:X2} is not printable ASCII"));
        var form = HttpUtility.ParseQueryString(Encoding.ASCII.GetString(body!), Encoding.UTF8);
        Assert.Equal(new[] { "username", "password" }, form.AllKeys);
        Assert.Equal(username, form["username"]);
        Assert.Equal(password, form["password"]);
    }

    [Theory]
    [MemberData(nameof(FetchApiKeyAnswers.Names), MemberType = typeof(FetchApiKeyAnswers))]
    public async Task EveryFailureAnswerHasItsOwnErrorId(string rowName)
    {
        var row = FetchApiKeyAnswers.Get(rowName);
        var mock = new MockHttpMessageHandler();
        var calls = 0;
        mock.When(HttpMethod.Post, FetchUrl).Respond(_ =>
        {
            Interlocked.Increment(ref calls);
            return FetchApiKeyAnswers.ToResponse(row, TestSupport.IagoKey);
        });

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(ClientFor(mock)));

        Assert.Equal(row.ErrorId, e.ErrorId);
        Assert.Equal(row.Code, e.Code);
        Assert.Equal((HttpStatusCode)row.Status, e.StatusCode);
        Assert.Equal(row.ServerMessage, e.ServerMessage);
        Assert.Equal(row.Transient, e.IsTransient);
        if (row.RetryAfterSeconds is double seconds)
        {
            Assert.NotNull(e.RetryAfter);
            Assert.Equal(seconds, e.RetryAfter!.Value.TotalSeconds, 3);
        }
        else
        {
            Assert.Null(e.RetryAfter);
        }

        Assert.Equal(FetchUrl, e.RequestUri?.AbsoluteUri);
        Assert.Equal(1, calls);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        if (e.Hint != null)
        {
            Assert.EndsWith(e.Hint, e.Message);
        }

        if (row.ServerMessage != null)
        {
            Assert.StartsWith(row.ServerMessage, e.Message);
        }
    }

    [Fact]
    public async Task FailedLoginSaysToCheckTheUsernameAndHowPasswordlessUsersGetAPassword()
    {
        var e = await FailWith("401 AUTHENTICATION_FAILED");

        Assert.Contains("user name", e.Message);
        Assert.Contains("https://chat.example.com/accounts/password/reset/", e.Message);
    }

    [Fact]
    public async Task OldServer403IsAFailedLoginWithTheResetHint()
    {
        var e = await FailWith("old server 403 without code");

        Assert.Contains("https://chat.example.com/accounts/password/reset/", e.Message);
    }

    [Fact]
    public async Task RateLimitMessageNamesTheWaitAndWarnsAgainstRetryingPasswords()
    {
        var e = await FailWith("429 RATE_LIMIT_HIT");

        // 1.5 s rounded up for a person; the exact wait stays in RetryAfter.
        Assert.Contains("Wait 2 s", e.Message);
        Assert.Equal(1.5, e.RetryAfter!.Value.TotalSeconds, 3);
        Assert.Contains("5 per 30 minutes", e.Message);
    }

    [Fact]
    public async Task PasswordAuthDisabledPointsToTheWebAppApiKeyPage()
    {
        var e = await FailWith("401 PASSWORD_AUTH_DISABLED");

        Assert.Contains("https://chat.example.com/", e.Message);
        Assert.Contains("API key", e.Message);
    }

    [Fact]
    public async Task MethodNotAllowedExplainsTheRedirectingProxy()
    {
        var e = await FailWith("405 Method Not Allowed");

        Assert.Contains("405", e.Message);
        Assert.Contains("https://", e.Message);
    }

    [Fact]
    public async Task NonZulipAnswerSaysItDoesNotLookLikeZulip()
    {
        var e = await FailWith("200 HTML");

        Assert.Contains("does not look like a Zulip server", e.Message);
        Assert.Contains("text/html", e.Message);
    }

    [Fact]
    public async Task BadGatewayNamesTheStatusAndTheHost()
    {
        var e = await FailWith("502 HTML");

        Assert.Contains("502", e.Message);
        Assert.Contains("chat.example.com", e.Message);
    }

    private static async Task<ZulipApiException> FailWith(string rowName)
    {
        var row = FetchApiKeyAnswers.Get(rowName);
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, FetchUrl).Respond(_ => FetchApiKeyAnswers.ToResponse(row, TestSupport.IagoKey));
        return await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(ClientFor(mock)));
    }
}
