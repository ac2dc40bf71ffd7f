using System.Net;
using System.Text;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>A server that repeats a secret it was sent: every form of it is masked before it reaches any text.</summary>
public class SecretEchoTests
{
    private const string Password = "Canary-Pw-7f3a&=+%\u00fc b";
    private const string Email = "iago@zulip.com";
    private const string Key = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    /// <summary>The forms a server could repeat the password in (as typed, as the body carried it, decoded differently).</summary>
    public static TheoryData<string, string> PasswordForms => new()
    {
        { "as typed", Password },
        { "form-encoded as sent", "Canary-Pw-7f3a%26%3D%2B%25%C3%BC%20b" },
        { "percent-encoded, lower-case hex", "Canary-Pw-7f3a%26%3d%2b%25%c3%bc%20b" },
        { "form-encoded, space as +", "Canary-Pw-7f3a%26%3D%2B%25%C3%BC+b" },
        { "base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)) },
    };

    private static string JsonString(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static Task<FetchedApiKey> Fetch(HttpMessageHandler handler, string password = Password) =>
        TestSupport.Client(handler).FetchApiKeyAsync(TestSupport.Server, Email, TestSupport.Secure(password), CancellationToken.None);

    private static void AssertMasked(ZulipApiException e, params string[] forms)
    {
        foreach (var text in TestSupport.ExposedText(e))
        {
            foreach (var form in forms)
            {
                Assert.DoesNotContain(form, text, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(PasswordForms))]
    public async Task APasswordRepeatedInMsgIsMaskedInTheMessageAndTheServerMessage(string what, string echoed)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(401, $$"""{"result":"error","msg":{{JsonString("Bad password " + echoed + " for " + Email)}},"code":"AUTHENTICATION_FAILED"}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler));

        Assert.Equal(ZulipErrorId.AuthenticationFailed, e.ErrorId);
        AssertMasked(e, echoed);
        Assert.Equal($"Bad password {RequestSecrets.Mask} for {Email}", e.ServerMessage);
        Assert.StartsWith($"Bad password {RequestSecrets.Mask} for {Email}", e.Message, StringComparison.Ordinal);
        Assert.True(what.Length > 0);
    }

    [Fact]
    public async Task EveryOccurrenceIsMasked()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(400, $$"""{"result":"error","msg":{{JsonString($"{Password}|{Password}|x{Password}")}},"code":"BAD_REQUEST"}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler));

        Assert.Equal(ZulipErrorId.RequestRejected, e.ErrorId);
        Assert.Equal($"{RequestSecrets.Mask}|{RequestSecrets.Mask}|x{RequestSecrets.Mask}", e.ServerMessage);
    }

    [Fact]
    public async Task APasswordWithAControlCharacterIsMaskedAlsoAsTheMessageShowsIt()
    {
        const string password = "tab\there\u001b[0m";
        var handler = new StubHandler(_ => TestSupport.Answer(401, $$"""{"result":"error","msg":{{JsonString("got " + password)}},"code":"AUTHENTICATION_FAILED"}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler, password));

        AssertMasked(e, password, DisplayText.Neutralize(password), "here");
        Assert.Equal("got " + RequestSecrets.Mask, e.ServerMessage);
    }

    [Fact]
    public async Task ARateLimitAnswerRepeatingThePasswordIsMasked()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(429, $$"""{"result":"error","msg":{{JsonString("slow down, " + Password)}},"code":"RATE_LIMIT_HIT","retry-after":1}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler));

        Assert.Equal(ZulipErrorId.RateLimited, e.ErrorId);
        AssertMasked(e, Password);
    }

    [Fact]
    public async Task IgnoredParametersRepeatingThePasswordOrTheNewKeyAreMasked()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(200, $$"""{"result":"success","msg":"","api_key":"{{Key}}","email":"{{Email}}","user_id":5,"ignored_parameters_unsupported":["otp",{{JsonString("password=" + Password)}},"{{Key}}"]}"""));

        var fetched = await Fetch(handler);

        Assert.Equal(new[] { "otp", "password=" + RequestSecrets.Mask, RequestSecrets.Mask }, fetched.IgnoredParameters);
        Assert.Equal(Key, TestSupport.Reveal(fetched.ApiKey));
    }

    [Fact]
    public async Task ARedirectLocationCarryingThePasswordIsMasked()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(302, "", null, ("Location", "https://chat.example.com/login?password=Canary-Pw-7f3a%26%3D%2B%25%C3%BC%20b")));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler));

        Assert.Equal(ZulipErrorId.Redirected, e.ErrorId);
        AssertMasked(e, "Canary-Pw-7f3a%26%3D%2B%25%C3%BC%20b", "Canary-Pw");
    }

    [Fact]
    public async Task AFrameworkMessageQuotingThePasswordIsMaskedAndItsExceptionDropped()
    {
        // .NET quotes an invalid status line in its exception message; that line is the server's choice.
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException($"Received an invalid status line: '{Password}'.")));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler));

        Assert.Equal(ZulipErrorId.ConnectionFailed, e.ErrorId);
        Assert.Null(e.InnerException);
        AssertMasked(e, Password);
    }

    [Fact]
    public async Task AFailureWithoutTheSecretIsLeftAsItIs()
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("An error occurred while sending the request.")));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => Fetch(handler));

        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    public static TheoryData<string, string> KeyForms => new()
    {
        { "the key", Key },
        { "base64 of email:key", Convert.ToBase64String(Encoding.UTF8.GetBytes(Email + ":" + Key)) },
        { "base64 of the key", Convert.ToBase64String(Encoding.UTF8.GetBytes(Key)) },
    };

    [Theory]
    [MemberData(nameof(KeyForms))]
    public async Task AUsersMe401RepeatingTheKeyIsMasked(string what, string echoed)
    {
        var handler = new StubHandler(_ => TestSupport.Answer(401, $$"""{"result":"error","msg":{{JsonString("Invalid API key: Basic " + echoed)}},"code":"UNAUTHORIZED"}"""));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).GetOwnUserAsync(TestSupport.Server, Email, TestSupport.Secure(Key), CancellationToken.None));

        Assert.Equal(ZulipErrorId.InvalidApiKey, e.ErrorId);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        AssertMasked(e, echoed);
        Assert.Equal("Invalid API key: Basic " + RequestSecrets.Mask, e.ServerMessage);
        Assert.True(what.Length > 0);
    }

    [Fact]
    public async Task AFullNameRepeatingTheKeyIsMasked()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(200, $$"""{"result":"success","msg":"","email":"{{Email}}","user_id":5,"full_name":"Iago {{Key}}"}"""));

        var user = await TestSupport.Client(handler).GetOwnUserAsync(TestSupport.Server, Email, TestSupport.Secure(Key), CancellationToken.None);

        Assert.Equal("Iago " + RequestSecrets.Mask, user.FullName);
    }

    [Fact]
    public void TokensGivenAsStringsAreMaskedToo()
    {
        var secrets = RequestSecrets.None.With("eyJhbGciOiJIUzI1NiJ9.e30.sig");

        Assert.Equal("jwt " + RequestSecrets.Mask + " refused", secrets.Apply("jwt eyJhbGciOiJIUzI1NiJ9.e30.sig refused"));
        Assert.Null(secrets.Apply((string?)null));
        Assert.Same(RequestSecrets.None.Apply("text"), "text");
    }

    [Fact]
    public void ALongerFormIsMaskedWholeBeforeAShorterOneInsideIt()
    {
        // "a b" is inside neither, but the base64 of "x:a b" contains no raw form: each is masked whole, once.
        var secrets = RequestSecrets.None.WithBasic("x", TestSupport.Secure("a b"));
        var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes("x:a b"));

        Assert.Equal($"{RequestSecrets.Mask} {RequestSecrets.Mask} {RequestSecrets.Mask}", secrets.Apply($"{pair} a b a+b"));
    }

    [Fact]
    public void AMaskedCopyKeepsEveryOtherProperty()
    {
        // Set every settable property to a value other than its default, so a property added later and not
        // copied by WithTexts shows up here.
        var original = new ZulipApiException(ZulipErrorId.RateLimited, "msg " + Password, new InvalidOperationException("inner"));
        var samples = new Dictionary<Type, object>
        {
            [typeof(string)] = "text " + Password,
            [typeof(HttpStatusCode?)] = HttpStatusCode.TooManyRequests,
            [typeof(TimeSpan?)] = TimeSpan.FromSeconds(7),
            [typeof(Uri)] = new Uri("https://chat.example.com/api/v1/fetch_api_key"),
            [typeof(bool)] = true,
        };
        var settable = typeof(ZulipApiException).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly).Where(p => p.SetMethod != null).ToList();
        Assert.True(settable.Count >= 6);
        foreach (var property in settable)
        {
            Assert.True(samples.ContainsKey(property.PropertyType), $"no sample value for {property.Name} ({property.PropertyType})");
            property.SetValue(original, samples[property.PropertyType]);
        }

        var masked = RequestSecrets.None.With(TestSupport.Secure(Password)).Apply(original);

        Assert.NotSame(original, masked);
        Assert.Equal(original.ErrorId, masked.ErrorId);
        Assert.Same(original.InnerException, masked.InnerException);
        Assert.Equal("msg " + RequestSecrets.Mask, masked.Message);
        foreach (var property in settable)
        {
            var expected = property.GetValue(original);
            Assert.Equal(expected is string text ? text.Replace(Password, RequestSecrets.Mask, StringComparison.Ordinal) : expected, property.GetValue(masked));
        }
    }
}
