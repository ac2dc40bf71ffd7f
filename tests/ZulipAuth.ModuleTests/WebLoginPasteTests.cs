using System.Collections;
using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>The paste flow end to end: printed link, stand-in browser through the SSO chain, token at the prompt, session exchange.</summary>
public sealed class WebLoginPasteTests : ModuleTestBase
{
    private readonly WebLoginHost host = new();
    private PsSession web = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        web = new PsSession(host);
        Behaviour.PasswordAuthEnabled = false;
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub()];
    }

    public override async Task DisposeAsync()
    {
        web.Dispose();
        await base.DisposeAsync();
    }

    private PsResult WebLogin(PsSession session, string server, string extra = "") =>
        session.RunWith($"param($Server) Get-ZulipApiKey -Server $Server -Web -Paste -SkipCertificateCheck {extra}", new Hashtable { ["Server"] = server });

    private static string Plain(PSObject key) => ((PSCredential)key.Properties["Credential"].Value).GetNetworkCredential().Password;

    [Fact]
    public void AnSsoOnlyOrganizationGivesTheKeyOverHttps()
    {
        var result = WebLogin(web, Https);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(TestUsers.Iago.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Iago.UserId, key.Properties["UserId"].Value);
        Assert.Equal(TestUsers.Iago.ApiKey, Plain(key));
        Assert.Equal(1, Server.CountRequests("/json/fetch_api_key", "POST"));
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
        Assert.DoesNotContain(TestUsers.Iago.ApiKey, host.Written);
    }

    [Fact]
    public void AMixedOrganizationWantsThePasswordAndARightOneWorks()
    {
        Behaviour.PasswordAuthEnabled = true;
        host.Password = TestUsers.Iago.Password;

        var result = WebLogin(web, Https);

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.ApiKey, Plain(Assert.Single(result.Output)));
        Assert.Contains("Zulip password: ", host.Written);
    }

    [Fact]
    public void AWrongPasswordInAMixedOrganizationHasItsOwnErrorId()
    {
        Behaviour.PasswordAuthEnabled = true;
        host.Password = CanaryPassword;

        var result = WebLogin(web, Https);

        AssertError(result.SingleError(), "ZulipWebLoginPasswordIncorrect", ErrorCategory.AuthenticationError);
        Assert.Contains("Password is incorrect.", result.Errors[0].ToString());
        result.AssertNoSecret(CanaryPassword, TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void AnExpiredTokenSaysSoAndHowToTryAgain()
    {
        Behaviour.WebLogin.LoginTokenLifetime = TimeSpan.FromMilliseconds(200);
        host.BeforeTyping = () => Thread.Sleep(400);

        var result = WebLogin(web, Https);

        var error = result.SingleError();
        AssertError(error, "ZulipLoginTokenExpired", ErrorCategory.AuthenticationError);
        Assert.Contains("15 seconds", error.ToString());
        Assert.Empty(result.Output);
    }

    [Fact]
    public void ATokenForAnotherLinkIsRefusedBeforeAnythingIsSent()
    {
        host.AlterToken = t => t[..^2] + (t[^2] == '0' ? "1" : "0") + t[^1];

        var result = WebLogin(web, Https);

        AssertError(result.SingleError(), "ZulipDesktopTokenInvalid", ErrorCategory.InvalidData);
        Assert.Equal(0, Server.CountRequests("/json/fetch_api_key"));
    }

    [Fact]
    public void ACsrfRefusalHasItsOwnErrorIdWithTheServersReason()
    {
        Behaviour.WebLogin.CsrfTrustedOrigin = "https://chat.example.com";

        var result = WebLogin(web, Https);

        var error = result.SingleError();
        AssertError(error, "ZulipCsrfFailed", ErrorCategory.SecurityError);
        Assert.Contains($"CSRF error: Origin checking failed - {Https} does not match any trusted origins.", error.ToString());
        Assert.Contains("proxy", error.ErrorDetails!.RecommendedAction);
        Assert.Equal(1, Server.CountRequests("/json/fetch_api_key", "POST"));
        Assert.Empty(result.Output);
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void AnOrganizationWithoutWebLoginSaysWhatItHasInstead()
    {
        Behaviour.PasswordAuthEnabled = true;
        Behaviour.ExternalAuthenticationMethods = [];

        var result = WebLogin(web, Https);

        var error = result.SingleError();
        AssertError(error, "ZulipWebLoginNotOffered", ErrorCategory.NotEnabled);
        Assert.Contains("-Credential", error.ToString());
    }

    [Fact]
    public void SeveralMethodsWithoutAPersonFailListingTheNames()
    {
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub(), ExternalAuthMethod.Saml()];

        var result = WebLogin(Session, Https);

        var error = result.SingleError();
        AssertError(error, "ZulipAuthenticationMethodRequired", ErrorCategory.InvalidArgument);
        Assert.Contains("github, saml:okta", error.ToString());
    }

    [Fact]
    public void SeveralMethodsWithAPersonOfferAChoice()
    {
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub(), ExternalAuthMethod.Saml()];
        host.Choice = 1;

        var result = WebLogin(web, Https);

        Assert.Empty(result.Errors);
        Assert.Equal(["github", "saml:okta"], host.ChoicesOffered);
        Assert.Contains("/accounts/login/social/saml/okta?desktop_flow_otp=", host.Written);
    }

    [Fact]
    public void AnUnknownMethodNameIsRefused()
    {
        var result = WebLogin(web, Https, "-AuthenticationMethod google");

        AssertError(result.SingleError(), "ZulipAuthenticationMethodNotOffered", ErrorCategory.ObjectNotFound);
        Assert.Contains("github", result.Errors[0].ToString());
    }

    [Fact]
    public void PasswordRefusedNamesWeb()
    {
        var result = GetKey(Https, Cred(TestUsers.Iago.Email, CanaryPassword), "-SkipCertificateCheck");

        var error = result.SingleError();
        AssertError(error, "ZulipPasswordAuthDisabled", ErrorCategory.NotEnabled);
        Assert.Contains("-Web", error.ToString());
    }
}
