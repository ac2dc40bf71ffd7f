using System.Net;
using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>GET /api/v1/server_settings read into ZulipServerSettings.</summary>
public class ServerSettingsTests
{
    private const string SettingsUrl = "https://chat.example.com/api/v1/server_settings";

    /// <summary>A Zulip 9 answer with every optional field, SSO methods listed, and "openid connect" as a key.</summary>
    private const string Modern = """
        {
          "authentication_methods": {"password": true, "dev": false, "email": true, "ldap": false, "remoteuser": false,
            "github": true, "azuread": false, "gitlab": false, "apple": false, "google": true, "saml": true, "openid connect": true},
          "external_authentication_methods": [
            {"name": "saml:okta", "display_name": "Okta", "display_icon": null,
             "login_url": "/accounts/login/social/saml/okta", "signup_url": "/accounts/register/social/saml/okta"},
            {"name": "google", "display_name": "Google", "display_icon": "/static/images/authentication_backends/googl_e-icon.png",
             "login_url": "/accounts/login/social/google", "signup_url": "/accounts/register/social/google"},
            {"name": "oidc:keycloak", "display_name": "Keycloak", "display_icon": "https://sso.example.com/logo.png",
             "login_url": "/accounts/login/social/oidc", "signup_url": "/accounts/register/social/oidc"}
          ],
          "zulip_feature_level": 278,
          "zulip_version": "9.2",
          "zulip_merge_base": "9.2-12-gabcdef",
          "push_notifications_enabled": true,
          "is_incompatible": false,
          "email_auth_enabled": true,
          "require_email_format_usernames": true,
          "realm_uri": "https://chat.example.com",
          "realm_url": "https://chat.example.com",
          "realm_name": "Example Inc.",
          "realm_icon": "/user_avatars/2/realm/icon.png?version=3",
          "realm_description": "<p>The <strong>Example</strong> organization.</p>",
          "realm_web_public_access_enabled": true,
          "msg": "",
          "result": "success"
        }
        """;

    /// <summary>A Zulip 2.x answer: realm_uri only, no feature level, no optional fields.</summary>
    private const string Old = """
        {"authentication_methods":{"password":true,"dev":false,"email":true,"ldap":false,"remoteuser":false,"github":false,"google":false},
         "zulip_version":"2.1.7","push_notifications_enabled":false,"realm_uri":"https://old.example.com","msg":"","result":"success"}
        """;

    /// <summary>An SSO-only organization: passwords off, SAML and GitHub on.</summary>
    private const string PasswordDisabled = """
        {"authentication_methods":{"password":false,"dev":false,"email":false,"ldap":false,"remoteuser":false,"github":true,"azuread":false,
           "gitlab":false,"apple":false,"google":false,"saml":true,"openid connect":false},
         "external_authentication_methods":[
           {"name":"saml:corp","display_name":"Corp SSO","display_icon":null,"login_url":"/accounts/login/social/saml/corp","signup_url":"/accounts/register/social/saml/corp"},
           {"name":"github","display_name":"GitHub","display_icon":"/static/images/authentication_backends/github-icon.png","login_url":"/accounts/login/social/github","signup_url":"/accounts/register/social/github"}],
         "zulip_feature_level":300,"zulip_version":"10.0","zulip_merge_base":"10.0","push_notifications_enabled":false,"is_incompatible":false,
         "email_auth_enabled":false,"require_email_format_usernames":true,"realm_url":"https://sso.example.com","realm_uri":"https://sso.example.com",
         "realm_name":"SSO only","realm_icon":"https://secure.gravatar.com/avatar/abc?d=identicon","realm_description":"",
         "realm_web_public_access_enabled":false,"msg":"","result":"success"}
        """;

    private static async Task<ZulipServerSettings> Read(string body, string server = "https://chat.example.com/")
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, new Uri(new Uri(server), "api/v1/server_settings").AbsoluteUri).Respond("application/json", body);
        var client = new ZulipClient(mock.ToHttpClient(), TimeSpan.FromSeconds(5), TestSupport.UserAgent);
        var settings = await client.GetServerSettingsAsync(new Uri(server), CancellationToken.None);
        mock.VerifyNoOutstandingExpectation();
        return settings;
    }

    private static async Task<ZulipApiException> Fail(int status, string body, string contentType = "application/json")
    {
        var handler = new StubHandler(_ => TestSupport.Answer(status, body, contentType));
        return await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None));
    }

    [Fact]
    public async Task AModernAnswerIsReadCompletely()
    {
        var s = await Read(Modern);

        Assert.Equal(TestSupport.Server, s.Server);
        Assert.Equal(new Uri("https://chat.example.com"), s.RealmUrl);
        Assert.Equal("Example Inc.", s.RealmName);
        Assert.Equal("<p>The <strong>Example</strong> organization.</p>", s.RealmDescription);
        Assert.Equal("https://chat.example.com/user_avatars/2/realm/icon.png?version=3", s.RealmIcon?.AbsoluteUri);
        Assert.Equal("9.2", s.ZulipVersion);
        Assert.Equal("9.2-12-gabcdef", s.ZulipMergeBase);
        Assert.Equal(278, s.ZulipFeatureLevel);
        Assert.True(s.PasswordAuthEnabled);
        Assert.True(s.EmailAuthEnabled);
        Assert.True(s.RequireEmailFormatUsernames);
        Assert.True(s.PushNotificationsEnabled);
        Assert.False(s.IsIncompatible);
        Assert.True(s.WebPublicAccessEnabled);
        Assert.Equal(
            new[] { "email", "github", "google", "openid connect", "password", "saml" },
            s.AuthenticationMethods.OrderBy(m => m, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ExternalMethodsHaveAbsoluteUrlsAgainstTheRealm()
    {
        var s = await Read(Modern);

        Assert.Equal(3, s.ExternalAuthenticationMethods.Length);
        var okta = s.ExternalAuthenticationMethods[0];
        Assert.Equal("saml:okta", okta.Name);
        Assert.Equal("Okta", okta.DisplayName);
        Assert.Null(okta.DisplayIcon);
        Assert.Equal("https://chat.example.com/accounts/login/social/saml/okta", okta.LoginUrl?.AbsoluteUri);
        Assert.Equal("https://chat.example.com/accounts/register/social/saml/okta", okta.SignupUrl?.AbsoluteUri);
        var google = s.ExternalAuthenticationMethods[1];
        Assert.Equal("https://chat.example.com/static/images/authentication_backends/googl_e-icon.png", google.DisplayIcon?.AbsoluteUri);
        var keycloak = s.ExternalAuthenticationMethods[2];
        Assert.Equal("https://sso.example.com/logo.png", keycloak.DisplayIcon?.AbsoluteUri);
        Assert.Equal("Keycloak", keycloak.ToString());
    }

    [Fact]
    public async Task RelativeUrlsResolveAgainstTheRealmUrlNotTheAddressGiven()
    {
        // Asked over http on another port; the organization says its URL is https://chat.example.com.
        var s = await Read(Modern, "http://chat.example.com:8080/");

        Assert.Equal(new Uri("http://chat.example.com:8080/"), s.Server);
        Assert.Equal("https://chat.example.com/accounts/login/social/google", s.ExternalAuthenticationMethods[1].LoginUrl?.AbsoluteUri);
        Assert.Equal("https://chat.example.com/user_avatars/2/realm/icon.png?version=3", s.RealmIcon?.AbsoluteUri);
    }

    [Fact]
    public async Task RealmUrlWinsOverRealmUri()
    {
        var body = Modern.Replace("\"realm_uri\": \"https://chat.example.com\"", "\"realm_uri\": \"https://legacy.example.com\"");
        Assert.Contains("legacy.example.com", body);

        var s = await Read(body);

        Assert.Equal(new Uri("https://chat.example.com"), s.RealmUrl);
    }

    [Fact]
    public async Task AnOldAnswerFallsBackToRealmUriAndLeavesTheRestNull()
    {
        var s = await Read(Old);

        Assert.Equal(new Uri("https://old.example.com"), s.RealmUrl);
        Assert.Equal(0, s.ZulipFeatureLevel);
        Assert.Equal("2.1.7", s.ZulipVersion);
        Assert.True(s.PasswordAuthEnabled);
        Assert.Null(s.ZulipMergeBase);
        Assert.Null(s.RealmName);
        Assert.Null(s.RealmDescription);
        Assert.Null(s.RealmIcon);
        Assert.Null(s.EmailAuthEnabled);
        Assert.Null(s.RequireEmailFormatUsernames);
        Assert.Null(s.IsIncompatible);
        Assert.Null(s.WebPublicAccessEnabled);
        Assert.False(s.PushNotificationsEnabled);
        Assert.Empty(s.ExternalAuthenticationMethods);
        Assert.Equal(new[] { "email", "password" }, s.AuthenticationMethods.OrderBy(m => m, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARootDomainWithoutOrganizationHasNoRealmUrl()
    {
        var body = """{"authentication_methods":{"password":true,"dev":false,"email":true,"ldap":false,"remoteuser":false,"github":false,"azuread":false,"gitlab":false,"apple":false,"google":false,"saml":false,"openid connect":false},"zulip_version":"9.2","zulip_merge_base":"9.2","zulip_feature_level":278,"push_notifications_enabled":false,"is_incompatible":false,"msg":"","result":"success"}""";

        var s = await Read(body);

        Assert.Null(s.RealmUrl);
        Assert.Null(s.RealmName);
        Assert.Equal(TestSupport.Server.AbsoluteUri, s.ToString());
    }

    [Fact]
    public async Task PasswordLoginDisabledIsReported()
    {
        var s = await Read(PasswordDisabled, "https://sso.example.com/");

        Assert.False(s.PasswordAuthEnabled);
        Assert.False(s.EmailAuthEnabled);
        Assert.Equal(new[] { "github", "saml" }, s.AuthenticationMethods.OrderBy(m => m, StringComparer.Ordinal));
        Assert.Equal(new[] { "Corp SSO", "GitHub" }, s.ExternalAuthenticationMethods.Select(m => m.DisplayName));
        Assert.Equal("https://sso.example.com/accounts/login/social/github", s.ExternalAuthenticationMethods[1].LoginUrl?.AbsoluteUri);
        Assert.Equal("SSO only (https://sso.example.com/)", s.ToString());
    }

    [Fact]
    public async Task LdapWithLoginNamesStillAllowsPasswords()
    {
        var body = """{"authentication_methods":{"password":true,"dev":false,"email":false,"ldap":true,"remoteuser":false,"github":false,"google":false,"saml":false,"openid connect":false},"zulip_version":"8.4","zulip_feature_level":237,"push_notifications_enabled":false,"is_incompatible":false,"email_auth_enabled":false,"require_email_format_usernames":false,"realm_uri":"https://ldap.example.com","realm_name":"LDAP","msg":"","result":"success"}""";

        var s = await Read(body, "https://ldap.example.com/");

        Assert.True(s.PasswordAuthEnabled);
        Assert.False(s.EmailAuthEnabled);
        Assert.False(s.RequireEmailFormatUsernames);
        Assert.Equal(new Uri("https://ldap.example.com"), s.RealmUrl);
    }

    [Theory]
    [InlineData(200, """{"status":"ok","version":"1.2.3"}""", "application/json")]
    [InlineData(200, """{"result":"success","msg":""}""", "application/json")]
    [InlineData(200, """{"result":"success","msg":"","zulip_version":"9.2"}""", "application/json")]
    [InlineData(200, """["authentication_methods"]""", "application/json")]
    [InlineData(200, "<!DOCTYPE html><html><body>Welcome</body></html>", "text/html")]
    [InlineData(404, "<!DOCTYPE html><html><body>Not Found</body></html>", "text/html")]
    [InlineData(404, """{"error":"not found"}""", "application/json")]
    public async Task ANonZulipAnswerIsAnUnexpectedResponseThatSaysSo(int status, string body, string contentType)
    {
        var e = await Fail(status, body, contentType);

        Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
        Assert.Contains("does not look like a Zulip server", e.Message);
        Assert.Null(e.Code);
        Assert.False(e.IsTransient);
    }

    [Theory]
    [InlineData("Invalid subdomain")]
    [InlineData("Subdomain required")]
    public async Task SubdomainErrorsAreInvalidSubdomainWithTheServersWords(string msg)
    {
        var e = await Fail(400, $$"""{"result":"error","msg":"{{msg}}","code":"BAD_REQUEST"}""");

        Assert.Equal(ZulipErrorId.InvalidSubdomain, e.ErrorId);
        Assert.Equal(msg, e.ServerMessage);
        Assert.Equal("BAD_REQUEST", e.Code);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.StartsWith(msg, e.Message);
        Assert.Contains("https://chat.example.com/", e.Message);
    }

    [Fact]
    public async Task AnotherBadRequestIsARejectedRequest()
    {
        var e = await Fail(400, """{"result":"error","msg":"Something else","code":"BAD_REQUEST"}""");

        Assert.Equal(ZulipErrorId.RequestRejected, e.ErrorId);
        Assert.Equal("Something else", e.ServerMessage);
    }

    [Fact]
    public async Task ABadGatewayIsATransientServerError()
    {
        var e = await Fail(502, "<html><body>502 Bad Gateway</body></html>", "text/html");

        Assert.Equal(ZulipErrorId.ServerError, e.ErrorId);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task TheRequestIsAnUnauthenticatedGet()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(200, Modern));

        await TestSupport.Client(handler).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("https://chat.example.com/api/v1/server_settings", request.Uri.AbsoluteUri);
        Assert.Null(request.Authorization);
        Assert.Null(request.Body);
    }
}
