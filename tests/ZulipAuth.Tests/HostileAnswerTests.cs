using System.Net;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>Success answers whose fields have the wrong type or shape: ZulipUnexpectedResponse, never another exception.</summary>
public class HostileAnswerTests
{
    private const string Key = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    private static Task<FetchedApiKey> Fetch(string body) =>
        TestSupport.Client(new StubHandler(_ => TestSupport.Answer(200, body))).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("abcd1234"), CancellationToken.None);

    private static Task<OwnUser> UsersMe(string body) =>
        TestSupport.Client(new StubHandler(_ => TestSupport.Answer(200, body))).GetOwnUserAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure(Key), CancellationToken.None);

    private static string FetchAnswer(string apiKey = $"\"{Key}\"", string email = "\"iago@zulip.com\"", string userId = "5") =>
        $$"""{"result":"success","msg":"","api_key":{{apiKey}},"email":{{email}},"user_id":{{userId}}}""";

    private static string UsersMeAnswer(string email = "\"iago@zulip.com\"", string userId = "5") =>
        $$"""{"result":"success","msg":"","email":{{email}},"user_id":{{userId}},"full_name":"Iago"}""";

    public static TheoryData<string, string> WrongFetchAnswers => new()
    {
        { "api_key a number", FetchAnswer(apiKey: "12345") },
        { "api_key an array", FetchAnswer(apiKey: "[\"a\"]") },
        { "api_key null", FetchAnswer(apiKey: "null") },
        { "api_key of 257 characters", FetchAnswer(apiKey: "\"" + new string('a', 257) + "\"") },
        { "api_key over 65,536 characters", FetchAnswer(apiKey: "\"" + new string('a', 70_000) + "\"") },
        { "api_key with a space", FetchAnswer(apiKey: "\"abc def\"") },
        { "api_key with CR LF", FetchAnswer(apiKey: "\"abc\\r\\ndef\"") },
        { "api_key with a non-ASCII letter", FetchAnswer(apiKey: "\"abc\u00e9def\"") },
        { "api_key with DEL", FetchAnswer(apiKey: "\"abc\\u007fdef\"") },
        { "email missing", """{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","user_id":5}""" },
        { "email empty", FetchAnswer(email: "\"\"") },
        { "email a number", FetchAnswer(email: "5") },
        { "email with CR LF", FetchAnswer(email: "\"iago@zulip.com\\r\\nX-Injected: 1\"") },
        { "email with ESC", FetchAnswer(email: "\"\\u001b[31miago@zulip.com\"") },
        { "email with a bidi override", FetchAnswer(email: "\"iago@zulip.com\\u202e\"") },
        { "user_id a string", FetchAnswer(userId: "\"5\"") },
        { "user_id a float", FetchAnswer(userId: "5.5") },
        { "user_id in exponent form", FetchAnswer(userId: "5e0") },
        { "user_id negative", FetchAnswer(userId: "-5") },
        { "user_id zero", FetchAnswer(userId: "0") },
        { "user_id huge", FetchAnswer(userId: "99999999999999999999") },
        { "user_id an object", FetchAnswer(userId: "{}") },
        { "user_id true", FetchAnswer(userId: "true") },
    };

    [Theory]
    [MemberData(nameof(WrongFetchAnswers))]
    public async Task AMistypedFetchApiKeyAnswerIsUnexpected(string what, string body)
    {
        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(body));

        Assert.True(e.ErrorId == ZulipErrorId.UnexpectedResponse, what);
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public async Task AnAbsentOrNullUserIdIsStillAnOldServer()
    {
        Assert.Null((await Fetch("""{"result":"success","msg":"","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com"}""")).UserId);
        Assert.Null((await Fetch(FetchAnswer(userId: "null"))).UserId);
        Assert.Equal(new string('k', 256), TestSupport.Reveal((await Fetch(FetchAnswer(apiKey: "\"" + new string('k', 256) + "\""))).ApiKey));
    }

    public static TheoryData<string, string> WrongUsersMeAnswers => new()
    {
        { "user_id missing", """{"result":"success","msg":"","email":"iago@zulip.com"}""" },
        { "user_id a string", UsersMeAnswer(userId: "\"5\"") },
        { "user_id a float", UsersMeAnswer(userId: "5.5") },
        { "user_id negative", UsersMeAnswer(userId: "-1") },
        { "user_id huge", UsersMeAnswer(userId: "4294967296") },
        { "user_id null", UsersMeAnswer(userId: "null") },
        { "email missing", """{"result":"success","msg":"","user_id":5}""" },
        { "email empty", UsersMeAnswer(email: "\"\"") },
        { "email an array", UsersMeAnswer(email: "[]") },
        { "email with CR LF", UsersMeAnswer(email: "\"a@b.c\\r\\nd\"") },
    };

    [Theory]
    [MemberData(nameof(WrongUsersMeAnswers))]
    public async Task AMistypedUsersMeAnswerIsUnexpected(string what, string body)
    {
        var e = await Assert.ThrowsAsync<ZulipApiException>(() => UsersMe(body));

        Assert.True(e.ErrorId == ZulipErrorId.UnexpectedResponse, what);
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(100_000)]
    public async Task ADeeplyNestedAnswerIsUnexpectedOnEveryEndpoint(int levels)
    {
        var body = "{\"result\":\"success\",\"x\":" + new string('[', levels) + new string(']', levels) + "}";
        var client = TestSupport.Client(new StubHandler(_ => TestSupport.Answer(200, body)));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, (await Assert.ThrowsAsync<ZulipApiException>(() => client.GetServerSettingsAsync(TestSupport.Server, CancellationToken.None))).ErrorId);
        Assert.Equal(ZulipErrorId.UnexpectedResponse, (await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(body))).ErrorId);
        Assert.Equal(ZulipErrorId.UnexpectedResponse, (await Assert.ThrowsAsync<ZulipApiException>(() => UsersMe(body))).ErrorId);
    }

    [Fact]
    public async Task InvalidUtf8IsUnexpected()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(FetchAnswer(email: "\"iago@zulip.comXX\"")).ToArray();
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } } });

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("pw"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
    }
}
