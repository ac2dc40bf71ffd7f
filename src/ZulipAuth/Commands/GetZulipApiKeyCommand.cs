using System;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Get-ZulipApiKey: trades a user name and password (or, on a development server, just an email) for the
    /// user's API key. Reads the server settings first, so a password is never sent where it cannot work.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZulipApiKey", DefaultParameterSetName = PasswordSet)]
    [OutputType(typeof(ZulipApiKey), typeof(string))]
    public sealed partial class GetZulipApiKeyCommand : ZulipWebCmdlet
    {
        private const string PasswordSet = "Password";
        private const string DevelopmentSet = "Development";

        // Zulip's own check is Django's email validator; this only has to catch a login name typed where an
        // email is required, before a password is sent for nothing. It must never refuse what Django accepts
        // ("admin@localhost", "a@[10.0.0.1]", a quoted local part with spaces), so it asks only for text on both
        // sides of an '@' and leaves the finer rules to the server.
        private static readonly Regex LooksLikeEmail = new Regex(@"^.+@[^@]+$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Site", "Realm")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerArgumentCompleter))]
        public string Server { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PasswordSet)]
        [CredentialPrompt]
        [ValidateNotNull]
        public PSCredential Credential { get; set; } = null!;

        /// <summary>The development user's email (development servers only).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = DevelopmentSet)]
        [Alias("UserName")]
        [ValidateNotNullOrEmpty]
        public string Email { get; set; } = string.Empty;

        [Parameter(Mandatory = true, ParameterSetName = DevelopmentSet)]
        public SwitchParameter Development { get; set; }

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        protected override void ProcessRecord()
        {
            Uri? server = null;
            try
            {
                server = ServerAddress.Normalize(Server);
                if (ParameterSetName == WebSet)
                {
                    Emit(FetchWithWebLogin(server));
                    return;
                }

                ServerAddress.RequireEncryption(server, AllowUnencryptedAuthentication, "the password and the key");
                var fetched = ParameterSetName == DevelopmentSet ? FetchFromDevelopmentServer(server) : FetchWithPassword(server);
                Emit(fetched);
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }

        private FetchedApiKey FetchWithPassword(Uri server)
        {
            var username = Credential.UserName ?? string.Empty;
            if (username.Length == 0)
            {
                throw new ZulipApiException(ZulipErrorId.InvalidUsername, "The credential has no user name. Give the Zulip user name (usually an email address) in -Credential. Nothing was sent.");
            }

            var settings = ReadServerSettings(server);
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

            var target = ChooseLoginUrl(server, settings);
            WriteVerbose($"POST {ServerAddress.Endpoint(target, "api/v1/fetch_api_key")} as '{username}'.");
            var fetched = Send("Fetching a Zulip API key", (client, token) => client.FetchApiKeyAsync(target, username, Credential.Password, token));
            return CompleteUserId(fetched);
        }

        private FetchedApiKey FetchFromDevelopmentServer(Uri server)
        {
            WriteVerbose($"POST {ServerAddress.Endpoint(server, "api/v1/dev_fetch_api_key")} as '{Email}'.");
            var fetched = Send("Fetching a Zulip API key", (client, token) => client.DevFetchApiKeyAsync(server, Email, token));
            return CompleteUserId(fetched);
        }

        private ZulipServerSettings ReadServerSettings(Uri server)
        {
            var cached = ServerSettingsCache.TryGet(server);
            if (cached != null)
            {
                WriteVerbose($"Using the server settings of {server} read in the last {ServerSettingsCache.Lifetime.TotalMinutes:0} minutes.");
                return cached;
            }

            WriteVerbose($"GET {ServerAddress.Endpoint(server, "api/v1/server_settings")}");
            var settings = Send("Reading Zulip server settings", (client, token) => client.GetServerSettingsAsync(server, token));
            ServerSettingsCache.Set(settings);
            return settings;
        }

        /// <summary>
        /// The organization's canonical URL when it is on the host the user named (it fixes http-to-https and
        /// port mistakes, and avoids the redirect that turns the POST into a GET); never a downgrade to http,
        /// and never another host, which only the user may choose.
        /// </summary>
        private Uri ChooseLoginUrl(Uri server, ZulipServerSettings settings)
        {
            var realm = settings.RealmUrl;
            if (realm == null || realm == server)
            {
                return server;
            }

            if (!ServerAddress.SameHost(realm, server))
            {
                WriteWarning($"The server says its organization URL is {realm}, another host than {server}. The password is sent to {server} as given; if the login fails, run the command again with -Server {realm.GetLeftPart(UriPartial.Authority)}.");
                return server;
            }

            if (server.Scheme == Uri.UriSchemeHttps && realm.Scheme == Uri.UriSchemeHttp)
            {
                return server;
            }

            var canonical = new Uri(realm.GetLeftPart(UriPartial.Authority) + "/");
            if (canonical != server)
            {
                WriteVerbose($"Using the organization URL {canonical} that the server announces.");
            }

            return canonical;
        }

        /// <summary>Servers before Zulip 7.0 do not return user_id; one cheap authenticated call fills it in.</summary>
        private FetchedApiKey CompleteUserId(FetchedApiKey fetched)
        {
            if (fetched.UserId.HasValue)
            {
                return fetched;
            }

            try
            {
                WriteVerbose($"The server did not return user_id (Zulip before 7.0); GET {ServerAddress.Endpoint(fetched.Server, "api/v1/users/me")}");
                fetched.UserId = Send("Reading the Zulip user id", (client, token) => client.GetOwnUserAsync(fetched.Server, fetched.Email, fetched.ApiKey, token)).UserId;
            }
            catch (ZulipApiException failure)
            {
                WriteWarning($"The key was fetched, but the user id could not be read ({failure.ErrorId}); UserId is empty.");
            }

            return fetched;
        }

        private void Emit(FetchedApiKey fetched)
        {
            if (fetched.IgnoredParameters.Length > 0)
            {
                WriteWarning($"The server ignored these parameters: {string.Join(", ", fetched.IgnoredParameters)}.");
            }

            ServerSettingsCache.RememberServer(fetched.Server);
            var key = new ZulipApiKey(fetched.Server, fetched.Email, fetched.ApiKey, fetched.UserId);
            if (AsPlainText)
            {
                WriteObject(key.Credential.GetNetworkCredential().Password);
            }
            else
            {
                WriteObject(key);
            }
        }
    }
}
