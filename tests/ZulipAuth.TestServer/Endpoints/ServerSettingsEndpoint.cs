using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>
/// GET|HEAD /api/v1/server_settings, unauthenticated (zerver/views/auth.py get_server_settings).
/// Always: authentication_methods, zulip_version, zulip_feature_level (not at level 0), zulip_merge_base
/// (level 88+), push_notifications_enabled, is_incompatible. The rest only when not null.
/// </summary>
internal static class ServerSettingsEndpoint
{
    public const string Path = "/api/v1/server_settings";

    // The keys of authentication_methods, in Zulip's order.
    private static readonly string[] AuthenticationMethodKeys =
        ["password", "dev", "email", "ldap", "remoteuser", "github", "azuread", "gitlab", "apple", "google", "saml", "openid connect"];

    public static async Task HandleAsync(ServerState state, HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            await ZulipErrors.MethodNotAllowedAsync(context, ["GET"], cancellationToken);
            return;
        }

        var target = state.ResolveHost(request);
        if (target == HostTarget.UnknownSubdomain)
        {
            // Not the 404 fetch_api_key gives: get_auth_backends_data raises a plain JsonableError.
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, ZulipErrors.InvalidSubdomain,
                "BAD_REQUEST", cancellationToken);
            return;
        }

        if (target == HostTarget.RootLandingPage)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, "Subdomain required",
                "BAD_REQUEST", cancellationToken);
            return;
        }

        // Read every switch once, so one answer is consistent even if a test flips switches meanwhile.
        var b = state.Behaviour;
        var featureLevel = b.FeatureLevel;
        var version = b.ZulipVersion;
        var mergeBase = b.ZulipMergeBase;
        var emailAuth = b.PasswordAuthEnabled;
        var ldap = b.LdapEnabled;
        var dev = b.DevelopmentEnvironment && b.DevAuthEnabled;
        var external = b.ExternalAuthenticationMethods;
        var omitOptional = b.OmitOptionalFields;
        var hasRealm = target == HostTarget.Realm;
        var realmUrl = state.RealmUrl(request);
        var realmName = b.RealmName;
        var realmIcon = b.RealmIcon;
        var realmDescription = b.RealmDescription;
        var webPublic = b.RealmWebPublicAccessEnabled;
        var push = b.PushNotificationsEnabled;
        var incompatible = b.IsIncompatible;

        var methods = AuthenticationMethodKeys.ToDictionary(k => k, _ => false);
        methods["password"] = emailAuth || ldap;
        methods["email"] = emailAuth;
        methods["ldap"] = ldap;
        methods["dev"] = dev;
        foreach (var method in external)
        {
            if (methods.ContainsKey(method.AuthenticationMethodKey))
                methods[method.AuthenticationMethodKey] = true;
        }

        await ZulipJson.SuccessAsync(context, writer =>
        {
            writer.WriteStartObject("authentication_methods");
            foreach (var key in AuthenticationMethodKeys)
                writer.WriteBoolean(key, methods[key]);
            writer.WriteEndObject();

            writer.WriteString("zulip_version", version);
            if (featureLevel > 0)
            {
                writer.WriteNumber("zulip_feature_level", featureLevel);
                if (featureLevel >= 88)
                    writer.WriteString("zulip_merge_base", mergeBase);
            }

            writer.WriteBoolean("push_notifications_enabled", push);
            writer.WriteBoolean("is_incompatible", incompatible);

            if (omitOptional)
                return;

            writer.WriteBoolean("email_auth_enabled", emailAuth);
            // False only for LDAP setups that map login names to emails.
            writer.WriteBoolean("require_email_format_usernames", !ldap);

            if (hasRealm)
            {
                if (featureLevel >= 257)
                    writer.WriteString("realm_url", realmUrl);
                // Kept as an alias after realm_url appeared.
                writer.WriteString("realm_uri", realmUrl);
                writer.WriteString("realm_name", realmName);
                writer.WriteString("realm_icon", realmIcon);
                writer.WriteString("realm_description", realmDescription);
                if (featureLevel >= 116)
                    writer.WriteBoolean("realm_web_public_access_enabled", webPublic);
            }

            WriteExternalMethods(writer, external);
        }, cancellationToken);
    }

    private static void WriteExternalMethods(Utf8JsonWriter writer, IReadOnlyList<ExternalAuthMethod> external)
    {
        writer.WriteStartArray("external_authentication_methods");
        foreach (var method in external)
        {
            writer.WriteStartObject();
            writer.WriteString("name", method.Name);
            writer.WriteString("display_name", method.DisplayName);
            if (method.DisplayIcon is null)
                writer.WriteNull("display_icon");
            else
                writer.WriteString("display_icon", method.DisplayIcon);
            writer.WriteString("login_url", method.LoginUrl);
            writer.WriteString("signup_url", method.SignupUrl);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
