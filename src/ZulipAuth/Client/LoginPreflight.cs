using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The decisions taken before a password is sent, with no PowerShell in sight: whether there is a user name,
    /// which cached settings may be used, whether password login can work at all, and which URL the password
    /// goes to. The cmdlet sends the requests and reports what this decides; nothing here sends anything.
    /// </summary>
    internal sealed class LoginPreflight
    {
        // Zulip's own check is Django's email validator; this only has to catch a login name typed where an
        // email is required, before a password is sent for nothing. It must never refuse what Django accepts
        // ("admin@localhost", "a@[10.0.0.1]", a quoted local part with spaces), so it asks only for text on both
        // sides of an '@' and leaves the finer rules to the server.
        private static readonly Regex LooksLikeEmail = new Regex(@"^.+@[^@]+$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private readonly ZulipClient client;

        public LoginPreflight(ZulipClient client) => this.client = client;

        /// <summary>Throws ZulipInvalidUsername when the credential has no user name: nothing is worth sending then.</summary>
        public static void RequireUserName(string? username)
        {
            if (string.IsNullOrEmpty(username))
            {
                throw new ZulipApiException(ZulipErrorId.InvalidUsername, "The credential has no user name. Give the Zulip user name (usually an email address) in -Credential. Nothing was sent.");
            }
        }

        /// <summary>Settings of <paramref name="server"/> read recently under the same trust as this client's (certificate checking, proxy), or null.</summary>
        public ZulipServerSettings? CachedSettings(Uri server) => ServerSettingsCache.TryGet(server, client.TrustKeyFor(server));

        /// <summary>Keeps settings this client read, under this client's trust.</summary>
        public void Remember(ZulipServerSettings settings) => ServerSettingsCache.Set(settings, client.TrustKeyFor(settings.Server));

        /// <summary>
        /// Where the password for <paramref name="username"/> goes, given <paramref name="settings"/>; throws
        /// ZulipPasswordAuthDisabled or ZulipInvalidUsername when the login cannot work, before the password is sent.
        /// </summary>
        public static LoginPlan Decide(Uri server, string username, ZulipServerSettings settings)
        {
            if (!settings.PasswordAuthEnabled)
            {
                var offered = string.Join(", ", settings.ExternalAuthenticationMethods.Select(m => m.DisplayName ?? m.Name)
                    .DefaultIfEmpty(string.Join(", ", settings.AuthenticationMethods)).Where(s => s.Length > 0));
                throw new ZulipApiException(ZulipErrorId.PasswordAuthDisabled, ZulipErrorMapper.PasswordAuthDisabledHint(settings.RealmUrl ?? server, offered) + " The password was not sent." + (settings.ExternalAuthenticationMethods.Length > 0 ? $" Or log in through the organization's web login: Get-ZulipApiKey -Server {server.GetLeftPart(UriPartial.Authority)} -Web." : string.Empty))
                {
                    RequestUri = server,
                };
            }

            if (settings.RequireEmailFormatUsernames == true && !LooksLikeEmail.IsMatch(username))
            {
                throw new ZulipApiException(ZulipErrorId.InvalidUsername, $"'{username}' is not an email address, and this organization logs in with email addresses. Use your email as the user name. The password was not sent.")
                {
                    RequestUri = server,
                };
            }

            return Target(server, settings, "the password");
        }

        /// <summary>Where a credential (<paramref name="secret"/>, as named in warnings) goes, given <paramref name="settings"/>.</summary>
        public static LoginPlan Target(Uri server, ZulipServerSettings settings, string secret)
        {
            var warnings = new List<string>();
            var notes = new List<string>();
            var target = ChooseLoginUrl(server, settings, warnings, notes, secret);
            return new LoginPlan(target, warnings, notes);
        }

        /// <summary>
        /// The organization's canonical URL when it is on the host the user named (it fixes http-to-https and
        /// port mistakes, and avoids the redirect that turns the POST into a GET); never a scheme other than
        /// http(s), never a downgrade to http, and never another host, which only the user may choose.
        /// </summary>
        private static Uri ChooseLoginUrl(Uri server, ZulipServerSettings settings, List<string> warnings, List<string> notes, string secret)
        {
            if (settings.IgnoredRealmUrl != null)
            {
                warnings.Add($"The server announces an organization URL that is not http:// or https://; it is ignored, and {secret} is sent to {server} as given.");
                return server;
            }

            var realm = settings.RealmUrl;
            if (realm == null || realm == server)
            {
                return server;
            }

            if (!RedirectPolicy.IsWebScheme(realm))
            {
                warnings.Add($"The server announces an organization URL that is not http:// or https://; it is ignored, and {secret} is sent to {server} as given.");
                return server;
            }

            if (!ServerAddress.SameHost(realm, server))
            {
                warnings.Add($"The server says its organization URL is {realm}, another host than {server}. {Capitalized(secret)} is sent to {server} as given; if the login fails, run the command again with -Server {realm.GetLeftPart(UriPartial.Authority)}.");
                return server;
            }

            if (server.Scheme == Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttps)
            {
                warnings.Add($"The server says its organization URL is {realm}, which is not encrypted; it is ignored, and {secret} is sent to {server} as given.");
                return server;
            }

            var canonical = new Uri(realm.GetLeftPart(UriPartial.Authority) + "/");
            if (canonical != server)
            {
                notes.Add($"Using the organization URL {canonical} that the server announces.");
            }

            return canonical;
        }

        private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
