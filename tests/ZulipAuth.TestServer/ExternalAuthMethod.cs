namespace ZulipAuth.TestServer;

/// <summary>
/// One entry of server_settings' <c>external_authentication_methods</c>. URLs are relative to the realm,
/// as Zulip sends them. The <see cref="Name"/> also decides which <c>authentication_methods</c> flag is
/// true: "github" → github, "saml:okta" → saml, "oidc:..." → "openid connect".
/// </summary>
public sealed record ExternalAuthMethod(
    string Name,
    string DisplayName,
    string? DisplayIcon,
    string LoginUrl,
    string SignupUrl)
{
    public static ExternalAuthMethod GitHub() => Social("github", "GitHub", "/static/images/authentication_backends/github-icon.png");

    public static ExternalAuthMethod Google() => Social("google", "Google", "/static/images/authentication_backends/googl_e-icon.png");

    public static ExternalAuthMethod GitLab() => Social("gitlab", "GitLab", "/static/images/authentication_backends/gitlab-icon.png");

    public static ExternalAuthMethod Apple() => Social("apple", "Apple", "/static/images/authentication_backends/apple-icon.png");

    public static ExternalAuthMethod AzureAD() => Social("azuread", "AzureAD", "/static/images/authentication_backends/azuread-icon.png");

    /// <summary>A SAML identity provider; Zulip names these "saml:&lt;idp&gt;" and often has no icon.</summary>
    public static ExternalAuthMethod Saml(string idp = "okta", string displayName = "Okta", string? displayIcon = null) =>
        new($"saml:{idp}", displayName, displayIcon,
            $"/accounts/login/social/saml/{idp}", $"/accounts/register/social/saml/{idp}");

    /// <summary>A generic OpenID Connect provider ("oidc:&lt;name&gt;").</summary>
    public static ExternalAuthMethod OpenIdConnect(string idp = "keycloak", string displayName = "Keycloak") =>
        new($"oidc:{idp}", displayName, null,
            $"/accounts/login/social/oidc/{idp}", $"/accounts/register/social/oidc/{idp}");

    private static ExternalAuthMethod Social(string name, string displayName, string icon) =>
        new(name, displayName, icon, $"/accounts/login/social/{name}", $"/accounts/register/social/{name}");

    /// <summary>The <c>authentication_methods</c> key this method turns on.</summary>
    internal string AuthenticationMethodKey
    {
        get
        {
            var prefix = Name.Split(':', 2)[0];
            return prefix == "oidc" ? "openid connect" : prefix;
        }
    }
}
