using System.Collections;
using System.Management.Automation;
using System.Net;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>Get-ZulipServerSettings against the local server: every property, old servers, pipelines, and non-Zulip hosts.</summary>
public class GetZulipServerSettingsTests : ModuleTestBase
{
    private const string SettingsPath = "/api/v1/server_settings";

    private PsResult Settings(string server, string extra = "") =>
        Session.RunWith($"param($Server) Get-ZulipServerSettings -Server $Server {extra}", new Hashtable { ["Server"] = server });

    private PSObject SingleSettings(string server, string extra = "")
    {
        var result = Settings(server, extra);
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var settings = Assert.Single(result.Output);
        Assert.Equal("ZulipAuth.ZulipServerSettings", settings.TypeNames[0]);
        return settings;
    }

    private static object? P(PSObject o, string name) => o.Properties[name].Value;

    [Fact]
    public void EveryPropertyComesFromAModernServer()
    {
        Behaviour.ZulipVersion = "11.0-dev-123-g0abc";
        Behaviour.ZulipMergeBase = "11.0-dev-120-g9def";
        Behaviour.RealmName = "Test Org";
        Behaviour.RealmDescription = "<p>Where the <strong>tests</strong> live.</p>";
        Behaviour.RealmIcon = "/user_avatars/2/realm/icon.png?version=3";
        Behaviour.PushNotificationsEnabled = true;
        Behaviour.RealmWebPublicAccessEnabled = true;
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub(), ExternalAuthMethod.Saml()];

        var s = SingleSettings(Http);

        var realm = new Uri(Http + "/");
        Assert.Equal(realm, P(s, "Server"));
        Assert.Equal(realm, P(s, "RealmUrl"));
        Assert.Equal("Test Org", P(s, "RealmName"));
        Assert.Equal("<p>Where the <strong>tests</strong> live.</p>", P(s, "RealmDescription"));
        Assert.Equal(new Uri(Http + "/user_avatars/2/realm/icon.png?version=3"), P(s, "RealmIcon"));
        Assert.True(((Uri)P(s, "RealmIcon")!).IsAbsoluteUri);
        Assert.Equal("11.0-dev-123-g0abc", P(s, "ZulipVersion"));
        Assert.Equal("11.0-dev-120-g9def", P(s, "ZulipMergeBase"));
        Assert.Equal(400, P(s, "ZulipFeatureLevel"));
        Assert.Equal(true, P(s, "PasswordAuthEnabled"));
        Assert.Equal(true, P(s, "EmailAuthEnabled"));
        Assert.Equal(true, P(s, "RequireEmailFormatUsernames"));
        Assert.Equal(new[] { "password", "email", "github", "saml" }, (string[])P(s, "AuthenticationMethods")!);
        Assert.Equal(true, P(s, "PushNotificationsEnabled"));
        Assert.Equal(false, P(s, "IsIncompatible"));
        Assert.Equal(true, P(s, "WebPublicAccessEnabled"));

        var external = ((IEnumerable)P(s, "ExternalAuthenticationMethods")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(2, external.Count);
        Assert.Equal("ZulipAuth.ZulipExternalAuthenticationMethod", external[0].TypeNames[0]);
        Assert.Equal("github", P(external[0], "Name"));
        Assert.Equal("GitHub", P(external[0], "DisplayName"));
        Assert.Equal(new Uri(Http + "/static/images/authentication_backends/github-icon.png"), P(external[0], "DisplayIcon"));
        Assert.Equal(new Uri(Http + "/accounts/login/social/github"), P(external[0], "LoginUrl"));
        Assert.Equal(new Uri(Http + "/accounts/register/social/github"), P(external[0], "SignupUrl"));
        Assert.Equal("saml:okta", P(external[1], "Name"));
        Assert.Equal("Okta", P(external[1], "DisplayName"));
        Assert.Null(P(external[1], "DisplayIcon"));
        Assert.Equal(new Uri(Http + "/accounts/login/social/saml/okta"), P(external[1], "LoginUrl"));
    }

    [Fact]
    public void TheRequestIsOneUnauthenticatedGetAndVerboseNamesIt()
    {
        var result = Settings(Http);

        var request = Assert.Single(Server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(SettingsPath, request.Path);
        Assert.False(request.HasAuthorization);
        Assert.Contains(result.Verbose, v => v.Contains(Http + SettingsPath, StringComparison.Ordinal));
    }

    [Fact]
    public void RelativeUrlsAreMadeAbsoluteAgainstTheRealmUrlAndAbsoluteOnesAreKept()
    {
        Behaviour.RealmUrlOverride = "https://chat.example.com";
        Behaviour.ExternalAuthenticationMethods =
        [
            new ExternalAuthMethod("saml:corp", "Corp SSO", "https://sso.example.net/logo.png", "/accounts/login/social/saml/corp", "https://signup.example.net/corp"),
        ];

        var s = SingleSettings(Http);

        Assert.Equal(new Uri(Http + "/"), P(s, "Server"));
        Assert.Equal(new Uri("https://chat.example.com/"), P(s, "RealmUrl"));
        Assert.Equal(new Uri("https://chat.example.com/static/images/logo/zulip-icon-128x128.png"), P(s, "RealmIcon"));
        var method = PSObject.AsPSObject(Assert.Single(((IEnumerable)P(s, "ExternalAuthenticationMethods")!).Cast<object>()));
        Assert.Equal(new Uri("https://sso.example.net/logo.png"), P(method, "DisplayIcon"));
        Assert.Equal(new Uri("https://chat.example.com/accounts/login/social/saml/corp"), P(method, "LoginUrl"));
        Assert.Equal(new Uri("https://signup.example.net/corp"), P(method, "SignupUrl"));
    }

    public static IEnumerable<object?[]> FeatureLevels() =>
    [
        // level, what ZulipFeatureLevel reads, merge base, web-public flag
        [400, 400, "11.0", (bool?)false],
        [257, 257, "11.0", (bool?)false],
        [256, 256, "11.0", (bool?)false], // realm_uri only: RealmUrl falls back to it
        [116, 116, "11.0", (bool?)false],
        [115, 115, "11.0", null],
        [88, 88, "11.0", null],
        [87, 87, null, null],
        [0, 0, null, null], // no zulip_feature_level at all
    ];

    [Theory]
    [MemberData(nameof(FeatureLevels))]
    public void OlderServersLeaveFieldsOutAndTheyReadAsNull(int level, int readLevel, string? mergeBase, bool? webPublic)
    {
        Behaviour.FeatureLevel = level;

        var s = SingleSettings(Http);

        Assert.Equal(readLevel, P(s, "ZulipFeatureLevel"));
        Assert.Equal(mergeBase, P(s, "ZulipMergeBase"));
        Assert.Equal(webPublic, P(s, "WebPublicAccessEnabled"));
        Assert.Equal("11.0", P(s, "ZulipVersion"));
        // realm_url from level 257; before that only realm_uri, which must be read instead.
        Assert.Equal(new Uri(Http + "/"), P(s, "RealmUrl"));
        Assert.Equal("Zulip Dev", P(s, "RealmName"));
    }

    [Fact]
    public void FieldsSentOnlyWhenNotNullAreNullWhenMissingNotErrors()
    {
        Behaviour.OmitOptionalFields = true;
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub()];

        var s = SingleSettings(Http);

        foreach (var name in new[] { "RealmUrl", "RealmName", "RealmDescription", "RealmIcon", "EmailAuthEnabled", "RequireEmailFormatUsernames", "WebPublicAccessEnabled" })
        {
            Assert.True(P(s, name) == null, $"{name} should be null");
        }

        Assert.Empty((IEnumerable)P(s, "ExternalAuthenticationMethods")!);
        // authentication_methods is always there, so password login is still known.
        Assert.Equal(true, P(s, "PasswordAuthEnabled"));
        Assert.Contains("github", (string[])P(s, "AuthenticationMethods")!);
        Assert.Equal(false, P(s, "PushNotificationsEnabled"));
        Assert.Equal(false, P(s, "IsIncompatible"));
    }

    [Fact]
    public void ARootDomainWithoutOrganizationHasNoRealmFields()
    {
        Behaviour.RootDomainWithoutOrganization = true;

        var s = SingleSettings(Http);

        Assert.Null(P(s, "RealmUrl"));
        Assert.Null(P(s, "RealmName"));
        Assert.Equal(new Uri(Http + "/"), P(s, "Server"));
    }

    [Fact]
    public void PasswordLoginOffWithSsoListsOnlyTheEnabledMethods()
    {
        Behaviour.PasswordAuthEnabled = false;
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.Google(), ExternalAuthMethod.OpenIdConnect()];

        var s = SingleSettings(Http);

        Assert.Equal(false, P(s, "PasswordAuthEnabled"));
        Assert.Equal(false, P(s, "EmailAuthEnabled"));
        Assert.Equal(new[] { "google", "openid connect" }, (string[])P(s, "AuthenticationMethods")!);
        Assert.Equal(2, ((IEnumerable)P(s, "ExternalAuthenticationMethods")!).Cast<object>().Count());
    }

    [Fact]
    public void LdapLoginNamesAndTheDevelopmentLoginShowUp()
    {
        Behaviour.LdapEnabled = true;
        Behaviour.PasswordAuthEnabled = false;
        Behaviour.DevelopmentEnvironment = true;

        var s = SingleSettings(Http);

        Assert.Equal(true, P(s, "PasswordAuthEnabled"));
        Assert.Equal(false, P(s, "EmailAuthEnabled"));
        Assert.Equal(false, P(s, "RequireEmailFormatUsernames"));
        Assert.Equal(new[] { "password", "dev", "ldap" }, (string[])P(s, "AuthenticationMethods")!);
    }

    [Fact]
    public void ServersFromThePipelineByValueGiveOneAnswerOrOneErrorEach()
    {
        var result = Session.RunWith(
            "param($A, $B) $A, 'zulip://chat.example.com', $B | Get-ZulipServerSettings -SkipCertificateCheck; 'pipeline went on'",
            new Hashtable { ["A"] = Http, ["B"] = Https });

        Assert.Null(result.Terminating);
        Assert.Equal(3, result.Output.Count);
        Assert.Equal(new Uri(Http + "/"), P(result.Output[0], "Server"));
        Assert.Equal(new Uri(Https + "/"), P(result.Output[1], "Server"));
        Assert.Equal("pipeline went on", result.Output[2].BaseObject);
        AssertError(Assert.Single(result.Errors), "ZulipInvalidServer", ErrorCategory.InvalidArgument);
        Assert.Equal(2, Server.CountRequests(SettingsPath));
    }

    [Fact]
    public void ServersBindByPropertyNameUnderEveryAlias()
    {
        var result = Session.RunWith(
            "param($S) [pscustomobject]@{ Server = $S }, [pscustomobject]@{ Site = $S }, [pscustomobject]@{ Realm = $S } | Get-ZulipServerSettings",
            new Hashtable { ["S"] = Http });

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Output.Count);
        Assert.All(result.Output, o => Assert.Equal(new Uri(Http + "/"), P(o, "RealmUrl")));
    }

    [Fact]
    public void AKeyFromGetZulipApiKeyPipesInByItsServer()
    {
        var result = Session.RunWith(
            "param($S, $C) $key = Get-ZulipApiKey -Server $S -Credential $C; $key | Get-ZulipServerSettings",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) });

        Assert.Empty(result.Errors);
        Assert.Equal(new Uri(Http + "/"), P(Assert.Single(result.Output), "RealmUrl"));
        result.AssertNoSecret(TestUsers.Iago.Password, TestUsers.Iago.ApiKey);
    }

    [Theory]
    [InlineData("{0}/")]
    [InlineData("{0}/api/v1/")]
    [InlineData("  {0}/api  ")]
    public void APastedUrlIsNormalisedLikeGetZulipApiKeyDoes(string format)
    {
        var s = SingleSettings(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Http));

        Assert.Equal(new Uri(Http + "/"), P(s, "Server"));
        Assert.Equal(SettingsPath, Assert.Single(Server.Requests).Path);
    }

    [Fact]
    public async Task PlainHttpToAnyHostNeedsNoSwitchBecauseNothingSecretIsSent()
    {
        // The proxy refuses hosts that are not loopback, so the request goes no further than 127.0.0.1; what
        // matters is that the module sent it rather than refusing plain http as it does for credentials.
        await using var proxy = new LoopbackConnectProxy();

        var result = Session.RunWith("param($P) Get-ZulipServerSettings -Server http://zulip.invalid -Proxy $P -TimeoutSec 5",
            new Hashtable { ["P"] = proxy.Uri });

        var error = result.SingleError();
        Assert.DoesNotContain("ZulipUnencryptedAuthentication", error.FullyQualifiedErrorId);
        Assert.Equal(1, proxy.RefusedCount);
        Assert.Contains(result.Verbose, v => v.Contains("http://zulip.invalid/api/v1/server_settings", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FaultKind.Html200, 200)]
    [InlineData(FaultKind.NotFoundHtml, 404)]
    [InlineData(FaultKind.OtherJsonShape, 200)]
    [InlineData(FaultKind.EmptyBody, 200)]
    public void AHostThatIsNotZulipIsAnUnexpectedResponseThatSaysSo(FaultKind fault, int status)
    {
        Behaviour.InjectFault(fault, SettingsPath);

        var result = Settings(Http);

        var error = result.SingleError();
        AssertError(error, "ZulipUnexpectedResponse", ErrorCategory.InvalidResult);
        Assert.Contains("does not look like a Zulip server", error.Exception.Message);
        Assert.Equal(status, (int?)(HttpStatusCode?)Prop(error.Exception, "StatusCode"));
        Assert.Equal(new Uri(Http + "/"), error.TargetObject);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void AnUnknownSubdomainIsInvalidSubdomainInTheServersWords()
    {
        Behaviour.AcceptedHosts = ["127.0.0.1"];

        var result = Settings($"http://localhost:{Server.HttpPort}");

        var error = result.SingleError();
        AssertError(error, "ZulipInvalidSubdomain", ErrorCategory.ObjectNotFound);
        Assert.Equal("Invalid subdomain", Prop(error.Exception, "ServerMessage"));
        Assert.Equal("BAD_REQUEST", Prop(error.Exception, "Code"));
        Assert.Equal(HttpStatusCode.BadRequest, Prop(error.Exception, "StatusCode"));
        Assert.StartsWith("Invalid subdomain", error.Exception.Message);
        Assert.Equal(new Uri($"http://localhost:{Server.HttpPort}/"), error.TargetObject);
    }

    [Fact]
    public void ARootDomainLandingPageAsksForTheOrganizationsSubdomain()
    {
        Behaviour.RootDomainLandingPage = true;

        var result = Settings(Http);

        var error = result.SingleError();
        AssertError(error, "ZulipInvalidSubdomain", ErrorCategory.ObjectNotFound);
        Assert.Equal("Subdomain required", Prop(error.Exception, "ServerMessage"));
        Assert.StartsWith("Subdomain required", error.Exception.Message);
        Assert.Contains("subdomain", error.ErrorDetails!.RecommendedAction, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("127.0.0.1", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryReadAsksTheServerAgainAndRefreshesThePreflightCache()
    {
        Settings(Http);
        Behaviour.RealmName = "Renamed";

        var s = SingleSettings(Http);

        Assert.Equal("Renamed", P(s, "RealmName"));
        Assert.Equal(2, Server.CountRequests(SettingsPath));
        // The fresh answer serves the login's preflight: no third read.
        Assert.Empty(GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).Errors);
        Assert.Equal(2, Server.CountRequests(SettingsPath));
    }

    [Fact]
    public void WorksOverTlsWithSkipCertificateCheckAndNotWithoutIt()
    {
        var ok = SingleSettings(Https, "-SkipCertificateCheck");
        var refused = Settings(Https);

        Assert.Equal(new Uri(Https + "/"), P(ok, "RealmUrl"));
        AssertError(refused.SingleError(), "ZulipCertificateError", ErrorCategory.SecurityError);
    }
}
