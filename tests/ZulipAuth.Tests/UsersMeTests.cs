using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>GET /api/v1/users/me with HTTP Basic email:key, the check behind Test-ZulipApiKey.</summary>
public class UsersMeTests
{
    private const string UsersMeUrl = "https://chat.example.com/api/v1/users/me";

    private const string OwnUser = """
        {"result":"success","msg":"","avatar_url":"https://secure.gravatar.com/avatar/abc?d=identicon&version=1","avatar_version":1,
         "email":"iago@zulip.com","full_name":"Iago","is_admin":true,"is_owner":false,"is_guest":false,"role":200,"is_bot":false,
         "is_billing_admin":false,"timezone":"","date_joined":"2024-05-01T10:00:00.000000+00:00","delivery_email":"iago@zulip.com",
         "user_id":5,"profile_data":{},"max_message_id":30}
        """;

    public static TheoryData<string> UnauthorizedMessages => new()
    {
        "Invalid API key",
        "Malformed API key",
        "Account is deactivated",
        "This organization has been deactivated",
        "Account is not associated with this subdomain",
        "Missing authorization header for basic auth",
        "Invalid authorization header for basic auth",
    };

    private static Task<OwnUser> Get(HttpMessageHandler handler, string email = "iago@zulip.com", string key = TestSupport.IagoKey) =>
        TestSupport.Client(handler).GetOwnUserAsync(TestSupport.Server, email, TestSupport.Secure(key), CancellationToken.None);

    [Fact]
    public async Task SuccessGivesTheOwnUser()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, UsersMeUrl).Respond("application/json", OwnUser);

        var user = await Get(mock);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(5, user.UserId);
        Assert.Equal("iago@zulip.com", user.Email);
        Assert.Equal("Iago", user.FullName);
    }

    [Theory]
    [InlineData("iago@zulip.com", TestSupport.IagoKey)]
    [InlineData("Jane.Doe+ops@Example.COM", "QxZ5mUu9v2bH0Mt3kPpRr7sLwYy1AaCc")]
    [InlineData("ü@bücher.example", "abc")]
    public async Task TheAuthorizationHeaderIsBasicEmailColonKey(string email, string key)
    {
        AuthenticationHeaderValue? authorization = null;
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Get, UsersMeUrl).Respond(req =>
        {
            authorization = req.Headers.Authorization;
            return TestSupport.Answer(200, OwnUser);
        });

        await Get(mock, email, key);

        Assert.NotNull(authorization);
        Assert.Equal("Basic", authorization!.Scheme);
        Assert.Equal($"{email}:{key}", Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Parameter!)));
    }

    [Theory]
    [MemberData(nameof(UnauthorizedMessages))]
    public async Task Unauthorized401IsInvalidApiKey(string msg)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(401, $$"""{"result":"error","msg":"{{msg}}","code":"UNAUTHORIZED"}""", "application/json", ("WWW-Authenticate", "Basic realm=\"zulip\"")));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Get(handler));

        Assert.Equal(ZulipErrorId.InvalidApiKey, e.ErrorId);
        Assert.Equal("UNAUTHORIZED", e.Code);
        Assert.Equal(msg, e.ServerMessage);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.StartsWith(msg, e.Message);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task AnOld401WithoutCodeIsInvalidApiKey()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(401, """{"result":"error","msg":"Invalid API key"}""", "application/json", ("WWW-Authenticate", "Basic realm=\"zulip\"")));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Get(handler));

        Assert.Equal(ZulipErrorId.InvalidApiKey, e.ErrorId);
        Assert.Null(e.Code);
        Assert.Equal("Invalid API key", e.ServerMessage);
    }

    [Theory]
    [InlineData(500, """{"result":"error","msg":"Internal server error"}""", "application/json", "ZulipServerError")]
    [InlineData(502, "<html><body>502 Bad Gateway</body></html>", "text/html", "ZulipServerError")]
    [InlineData(200, "<html><body>Hello</body></html>", "text/html", "ZulipUnexpectedResponse")]
    [InlineData(200, """{"result":"success","msg":"","email":"iago@zulip.com"}""", "application/json", "ZulipUnexpectedResponse")]
    [InlineData(429, """{"result":"error","msg":"API usage exceeded rate limit","retry-after":0.25,"code":"RATE_LIMIT_HIT"}""", "application/json", "ZulipRateLimited")]
    public async Task AnswersThatSayNothingAboutTheKeyAreNotInvalidApiKey(int status, string body, string contentType, string errorId)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(status, body, contentType));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Get(handler));

        Assert.Equal(errorId, e.ErrorId);
    }
}
