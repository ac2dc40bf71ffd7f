using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>The decisions before a password is sent, without PowerShell: what is refused, which URL the password goes to, what the user is told.</summary>
public class LoginPreflightTests
{
    private static readonly Uri Https = new("https://chat.example.com/");

    private static ZulipServerSettings Settings(string? realmUrl = "https://chat.example.com", bool password = true, bool? emailNames = true, string? ignored = null) => new()
    {
        Server = Https,
        RealmUrl = realmUrl == null ? null : new Uri(realmUrl),
        IgnoredRealmUrl = ignored,
        PasswordAuthEnabled = password,
        RequireEmailFormatUsernames = emailNames,
        AuthenticationMethods = password ? new[] { "password" } : new[] { "github" },
    };

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void AnEmptyUserNameIsRefused(string? username)
    {
        var e = Assert.Throws<ZulipApiException>(() => LoginPreflight.RequireUserName(username));

        Assert.Equal(ZulipErrorId.InvalidUsername, e.ErrorId);
    }

    [Fact]
    public void PasswordLoginOffIsRefusedNamingWhatIsOffered()
    {
        var e = Assert.Throws<ZulipApiException>(() => LoginPreflight.Decide(Https, "iago@zulip.com", Settings(password: false)));

        Assert.Equal(ZulipErrorId.PasswordAuthDisabled, e.ErrorId);
        Assert.Contains("github", e.Message);
    }

    [Theory]
    [InlineData("iago", true, true)]
    [InlineData("iago", false, false)]
    [InlineData("admin@localhost", true, false)]
    public void ALoginNameWhereAnEmailIsRequiredIsRefused(string username, bool emailNames, bool refused)
    {
        var decide = () => LoginPreflight.Decide(Https, username, Settings(emailNames: emailNames));

        if (refused)
        {
            Assert.Equal(ZulipErrorId.InvalidUsername, Assert.Throws<ZulipApiException>(decide).ErrorId);
        }
        else
        {
            Assert.Equal(Https, decide().Target);
        }
    }

    [Theory]
    [InlineData("http://chat.example.com/", "https://chat.example.com", "https://chat.example.com/", false)]
    [InlineData("https://chat.example.com/", "https://chat.example.com:8443", "https://chat.example.com:8443/", false)]
    [InlineData("https://chat.example.com/", "http://chat.example.com", "https://chat.example.com/", true)]
    [InlineData("https://chat.example.com/", "https://evil.example.net", "https://chat.example.com/", true)]
    [InlineData("https://chat.example.com/", null, "https://chat.example.com/", false)]
    public void TheCanonicalUrlIsUsedOnlyOnTheSameHostAndNeverToDowngrade(string server, string? realm, string target, bool warns)
    {
        var plan = LoginPreflight.Decide(new Uri(server), "iago@zulip.com", Settings(realm));

        Assert.Equal(new Uri(target), plan.Target);
        Assert.Equal(warns, plan.Warnings.Count == 1);
    }

    [Fact]
    public void ARealmUrlThatIsNotHttpIsIgnoredWithAWarning()
    {
        var plan = LoginPreflight.Decide(Https, "iago@zulip.com", Settings(realmUrl: null, ignored: "ws://chat.example.com:9991"));

        Assert.Equal(Https, plan.Target);
        Assert.Contains("ignored", Assert.Single(plan.Warnings));
    }

    [Fact]
    public async Task SettingsReadWithoutCertificateChecksNeverServeAVerifiedClient()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(200, ServerSettingsJson));
        var unverified = new ZulipClient(new PooledHttpClient(handler, new TransportOptions { ProxyMode = ProxyMode.None, SkipCertificateCheck = true }, null), TimeSpan.FromSeconds(5), TestSupport.UserAgent);
        var verified = new ZulipClient(new PooledHttpClient(handler, new TransportOptions { ProxyMode = ProxyMode.None }, null), TimeSpan.FromSeconds(5), TestSupport.UserAgent);
        var viaProxy = new ZulipClient(new PooledHttpClient(handler, new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = new Uri("http://127.0.0.1:3128/") }, new ExplicitProxy(new Uri("http://127.0.0.1:3128/"), null)), TimeSpan.FromSeconds(5), TestSupport.UserAgent);
        var server = new Uri($"https://trust-{Guid.NewGuid():N}.example.com/");

        new LoginPreflight(unverified).Remember(await unverified.GetServerSettingsAsync(server, CancellationToken.None));

        Assert.NotNull(new LoginPreflight(unverified).CachedSettings(server));
        Assert.Null(new LoginPreflight(verified).CachedSettings(server));
        Assert.Null(new LoginPreflight(viaProxy).CachedSettings(server));
    }

    private const string ServerSettingsJson =
        """{"authentication_methods":{"password":true},"zulip_version":"9.2","zulip_feature_level":278,"email_auth_enabled":true,"require_email_format_usernames":true,"realm_url":"ws://chat.example.com","realm_icon":"javascript:alert(1)","external_authentication_methods":[{"name":"saml:x","display_name":"X","display_icon":"file:///etc/passwd","login_url":"ftp://x/","signup_url":"/accounts/register/social/saml/x"}],"result":"success","msg":""}""";

    [Fact]
    public async Task TheReaderDropsEveryServerUrlThatIsNotHttp()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(200, ServerSettingsJson));

        var settings = await TestSupport.Client(handler).GetServerSettingsAsync(Https, CancellationToken.None);

        Assert.Null(settings.RealmUrl);
        Assert.Equal("ws://chat.example.com", settings.IgnoredRealmUrl);
        Assert.Null(settings.RealmIcon);
        var method = Assert.Single(settings.ExternalAuthenticationMethods);
        Assert.Null(method.DisplayIcon);
        Assert.Null(method.LoginUrl);
        Assert.Equal(new Uri("https://chat.example.com/accounts/register/social/saml/x"), method.SignupUrl);
    }
}
