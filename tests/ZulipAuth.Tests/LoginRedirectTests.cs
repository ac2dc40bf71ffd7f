using Xunit;
using ZulipAuth.Client.WebLogin;

namespace ZulipAuth.Tests;

public class LoginRedirectTests
{
    private const string Key = "677b6303700f3f14f9c1e1daa0abb7b241296d561c06000dddd6e6c9b8bfb489";
    private static readonly Uri Realm = new("https://chat.example.com/");

    [Fact]
    public void TheFactsFileRedirectParses()
    {
        var redirect = LoginRedirect.Parse($"zulip://login?otp_encrypted_api_key={Key}&email=iago%40zulip.com&user_id=5&realm=https%3A%2F%2Fchat.example.com", Realm, out var problem);
        Assert.NotNull(redirect);
        Assert.Equal("", problem);
        Assert.Equal(Key, redirect!.EncryptedApiKey);
        Assert.Equal("iago@zulip.com", redirect.Email);
        Assert.Equal(5, redirect.UserId);
    }

    [Fact]
    public void TheFormThatUrlParsersNormaliseItToParsesToo()
    {
        var redirect = LoginRedirect.Parse($"zulip://login/?otp_encrypted_api_key={Key}&email=iago%40zulip.com&user_id=5&realm=https%3A%2F%2Fchat.example.com", Realm, out _);
        Assert.Equal(Key, redirect!.EncryptedApiKey);
        Assert.Null(LoginRedirect.Parse($"zulip://login/other?otp_encrypted_api_key={Key}&email=iago%40zulip.com&realm=https%3A%2F%2Fchat.example.com", Realm, out _));
        Assert.Null(LoginRedirect.Parse($"zulip://loginx?otp_encrypted_api_key={Key}&email=iago%40zulip.com&realm=https%3A%2F%2Fchat.example.com", Realm, out _));
    }

    [Fact]
    public void OldServersWithoutUserIdAreAccepted()
    {
        var redirect = LoginRedirect.Parse($"zulip://login?realm=https%3A%2F%2Fchat.example.com&email=iago%40zulip.com&otp_encrypted_api_key={Key}", Realm, out _);
        Assert.Null(redirect!.UserId);
    }

    [Theory]
    [InlineData("https%3A%2F%2Fevil.example.com", "evil.example.com")]
    [InlineData("http%3A%2F%2Fchat.example.com", "http://chat.example.com")]
    [InlineData("https%3A%2F%2Fchat.example.com%3A8443", "8443")]
    public void ARedirectForAnotherOriginIsRefused(string realm, string named)
    {
        Assert.Null(LoginRedirect.Parse($"zulip://login?otp_encrypted_api_key={Key}&email=iago%40zulip.com&user_id=5&realm={realm}", Realm, out var problem));
        Assert.Contains(named, problem);
    }

    [Theory]
    [InlineData("otp_encrypted_api_key=abc&email=iago%40zulip.com&realm=https%3A%2F%2Fchat.example.com", "64 hex")]
    [InlineData("otp_encrypted_api_key=" + Key + "&realm=https%3A%2F%2Fchat.example.com", "no email")]
    [InlineData("otp_encrypted_api_key=" + Key + "&email=a%40b&realm=https%3A%2F%2Fchat.example.com&user_id=-1", "user_id")]
    [InlineData("otp_encrypted_api_key=" + Key + "&email=a%40b", "no realm")]
    public void MalformedRedirectsSayWhatIsWrongWithoutQuotingTheKey(string query, string expected)
    {
        Assert.Null(LoginRedirect.Parse("zulip://login?" + query, Realm, out var problem));
        Assert.Contains(expected, problem);
        Assert.DoesNotContain(Key, problem);
    }

    [Fact]
    public void OtherSchemesAndHugeUrlsAreRefused()
    {
        Assert.Null(LoginRedirect.Parse($"https://login?otp_encrypted_api_key={Key}", Realm, out _));
        Assert.Null(LoginRedirect.Parse("zulip://login?" + new string('a', LoginRedirect.MaxLength), Realm, out _));
    }
}
