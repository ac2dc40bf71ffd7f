using System;
using System.Collections.Generic;
using System.Linq;

namespace ZulipAuth.Client
{
    /// <summary>Reads a server_settings answer into <see cref="ZulipServerSettings"/>, tolerating every field old servers omit.</summary>
    internal static class ServerSettingsReader
    {
        public static ZulipServerSettings Read(Uri server, ZulipResponse response)
        {
            var json = response.Json!;
            var methods = json.GetObject("authentication_methods");
            if (methods == null || json.GetString("zulip_version") == null)
            {
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "a Zulip server_settings answer always has authentication_methods and zulip_version.");
            }

            var announced = json.GetString("realm_url") ?? json.GetString("realm_uri");
            var realmUrl = AbsoluteUri(server, announced);
            var baseForRelative = realmUrl ?? server;
            var enabled = methods.Where(m => m.Value is bool b && b).Select(m => m.Key).ToArray();
            var emailAuth = json.GetBool("email_auth_enabled");
            var featureLevel = json.GetInt("zulip_feature_level");
            if (featureLevel < 0 || (featureLevel == null && json.ContainsKey("zulip_feature_level")))
            {
                // Absent means a very old server (level 0); present but not a whole number is not Zulip's answer.
                throw ZulipErrorMapper.Unexpected(response.RequestUri, "its zulip_feature_level is not a whole number.");
            }

            return new ZulipServerSettings
            {
                Server = server,
                RealmUrl = realmUrl,
                IgnoredRealmUrl = realmUrl == null && !string.IsNullOrEmpty(announced) ? announced : null,
                RealmName = json.GetString("realm_name"),
                RealmDescription = json.GetString("realm_description"),
                RealmIcon = AbsoluteUri(baseForRelative, json.GetString("realm_icon")),
                ZulipVersion = json.GetString("zulip_version"),
                ZulipMergeBase = json.GetString("zulip_merge_base"),
                ZulipFeatureLevel = featureLevel ?? 0,
                PasswordAuthEnabled = methods.GetBool("password") ?? emailAuth ?? false,
                EmailAuthEnabled = emailAuth,
                RequireEmailFormatUsernames = json.GetBool("require_email_format_usernames"),
                AuthenticationMethods = enabled,
                ExternalAuthenticationMethods = ReadExternal(baseForRelative, json.GetArray("external_authentication_methods")),
                PushNotificationsEnabled = json.GetBool("push_notifications_enabled"),
                IsIncompatible = json.GetBool("is_incompatible"),
                WebPublicAccessEnabled = json.GetBool("realm_web_public_access_enabled"),
            };
        }

        private static ZulipExternalAuthenticationMethod[] ReadExternal(Uri realm, List<object?>? items)
        {
            if (items == null)
            {
                return Array.Empty<ZulipExternalAuthenticationMethod>();
            }

            return items.OfType<JsonObject>().Select(o => new ZulipExternalAuthenticationMethod
            {
                Name = o.GetString("name") ?? string.Empty,
                DisplayName = o.GetString("display_name"),
                DisplayIcon = AbsoluteUri(realm, o.GetString("display_icon")),
                LoginUrl = AbsoluteUri(realm, o.GetString("login_url")),
                SignupUrl = AbsoluteUri(realm, o.GetString("signup_url")),
            }).ToArray();
        }

        /// <summary>
        /// <paramref name="value"/> resolved against <paramref name="baseUri"/>, or null when it is empty, unreadable,
        /// or not http(s) once resolved: a server never gets to hand out a ws:, file: or javascript: URL.
        /// </summary>
        private static Uri? AbsoluteUri(Uri baseUri, string? value)
        {
            var resolved = Resolve(baseUri, value);
            return resolved != null && RedirectPolicy.IsWebScheme(resolved) ? resolved : null;
        }

        private static Uri? Resolve(Uri baseUri, string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            // "/static/..." must be treated as relative even on Unix, where Uri would read it as a file path.
            if (value!.StartsWith("/", StringComparison.Ordinal) && !value.StartsWith("//", StringComparison.Ordinal))
            {
                return new Uri(baseUri, value);
            }

            return Uri.TryCreate(value, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps)
                ? absolute
                : Uri.TryCreate(baseUri, value, out var relative) ? relative : null;
        }
    }
}
