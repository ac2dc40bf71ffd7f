using System.Net;
using System.Text;
using System.Web;
using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>POST /api/v1/dev_fetch_api_key, which only Zulip's development environment has.</summary>
public class DevFetchApiKeyTests
{
    private static readonly Uri DevServer = new("http://localhost:9991/");
    private const string DevUrl = "http://localhost:9991/api/v1/dev_fetch_api_key";

    private static Task<FetchedApiKey> DevFetch(HttpMessageHandler handler, string email = "iago@zulip.com") =>
        TestSupport.Client(handler).DevFetchApiKeyAsync(DevServer, email, CancellationToken.None);

    [Fact]
    public async Task SuccessPostsOnlyTheUsernameAndGivesTheKey()
    {
        var mock = new MockHttpMessageHandler();
        string? body = null, contentType = null;
        mock.Expect(HttpMethod.Post, DevUrl).Respond(async req =>
        {
            body = await req.Content!.ReadAsStringAsync();
            contentType = req.Content.Headers.ContentType?.ToString();
            return TestSupport.Answer(200, """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","user_id":5}""");
        });

        var fetched = await DevFetch(mock);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal(TestSupport.IagoKey, TestSupport.Reveal(fetched.ApiKey));
        Assert.True(fetched.ApiKey.IsReadOnly());
        Assert.Equal("iago@zulip.com", fetched.Email);
        Assert.Equal(5, fetched.UserId);
        Assert.Equal(DevServer, fetched.Server);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", contentType);
        var form = HttpUtility.ParseQueryString(body!);
        Assert.Equal(new[] { "username" }, form.AllKeys);
        Assert.Equal("iago@zulip.com", form["username"]);
    }

    [Theory]
    [InlineData(404, "text/html", "<!DOCTYPE html><html><body><h1>Page not found (404)</h1></body></html>")]
    [InlineData(404, "application/json", """{"result":"error","msg":"Not Found","code":"BAD_REQUEST"}""")]
    [InlineData(404, "application/json", """{"result":"error","msg":"Not Found"}""")]
    [InlineData(400, "application/json", """{"result":"error","msg":"DevAuthBackend not enabled.","code":"BAD_REQUEST"}""")]
    public async Task AProductionServerIsNotADevelopmentServer(int status, string contentType, string body)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(status, body, contentType));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => DevFetch(handler));

        Assert.Equal(ZulipErrorId.NotDevelopmentServer, e.ErrorId);
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Contains("not a Zulip development environment", e.Message);
        Assert.Contains("http://localhost:9991/", e.Message);
    }

    [Theory]
    [InlineData(401, """{"result":"error","msg":"Your username or password is incorrect","code":"AUTHENTICATION_FAILED"}""", "ZulipAuthenticationFailed")]
    [InlineData(401, """{"result":"error","msg":"Account is deactivated","code":"USER_DEACTIVATED"}""", "ZulipUserDeactivated")]
    [InlineData(401, """{"result":"error","msg":"This organization has been deactivated","code":"REALM_DEACTIVATED"}""", "ZulipRealmDeactivated")]
    [InlineData(400, """{"result":"error","msg":"Enter a valid email address.","code":"BAD_REQUEST"}""", "ZulipInvalidUsername")]
    [InlineData(404, """{"result":"error","msg":"Invalid subdomain","code":"NONEXISTENT_SUBDOMAIN"}""", "ZulipInvalidSubdomain")]
    public async Task DevelopmentServerErrorsMapLikeTheProductionOnes(int status, string body, string errorId)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(status, body));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => DevFetch(handler));

        Assert.Equal(errorId, e.ErrorId);
    }

    [Fact]
    public async Task AnUnknownDevelopmentUserNamesTheKnownOnes()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(401, """{"result":"error","msg":"Your username or password is incorrect","code":"AUTHENTICATION_FAILED"}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => DevFetch(handler, "nobody@zulip.com"));

        Assert.Contains("iago@zulip.com", e.Message);
        Assert.DoesNotContain("password/reset", e.Message);
    }

    [Fact]
    public async Task A404OnTheProductionEndpointIsNotReadAsNotDevelopment()
    {
        // The "not a development server" reading belongs to dev_fetch_api_key only.
        var handler = new StubHandler(_ => TestSupport.Answer(404, "<html><body>Not Found</body></html>", "text/html"));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() =>
            TestSupport.Client(handler).FetchApiKeyAsync(DevServer, "iago@zulip.com", TestSupport.Secure("x"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
    }
}
