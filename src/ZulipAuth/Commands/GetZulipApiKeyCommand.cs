using System;
using System.Management.Automation;
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

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Site", "Realm")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerArgumentCompleter))]
        public string Server { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PasswordSet)]
        [CredentialPrompt(PromptInCmdlet = true)]
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

                Client.RequireEncryption(server, ParameterSetName == JwtSet ? "the token and the key" : "the password and the key");
                var fetched = ParameterSetName == DevelopmentSet ? FetchFromDevelopmentServer(server) : ParameterSetName == JwtSet ? FetchWithJsonWebToken(server) : FetchWithPassword(server);
                Emit(fetched);
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }

        /// <summary>-AllowUnencryptedAuthentication, for every request of this cmdlet that carries a secret.</summary>
        protected override bool AllowsUnencryptedAuthentication => AllowUnencryptedAuthentication;

        private FetchedApiKey FetchWithPassword(Uri server)
        {
            // A user name alone is asked about here, where the prompt can name the server it is for.
            var named = string.IsNullOrEmpty(Credential.UserName) ? "your Zulip account" : Credential.UserName;
            var credential = CredentialPromptAttribute.Complete(this, Credential, $"Password for {named} on {server.Authority} (the Zulip or LDAP password).");
            var username = credential.UserName ?? string.Empty;
            LoginPreflight.RequireUserName(username);

            var settings = ReadServerSettings(server);
            var target = Follow(LoginPreflight.Decide(server, username, settings));
            WriteVerbose($"POST {ServerAddress.Endpoint(target, "api/v1/fetch_api_key")} as '{username}'.");
            var fetched = Send("Fetching a Zulip API key", (client, token) => client.FetchApiKeyAsync(target, username, credential.Password, token));
            return CompleteUserId(fetched);
        }

        private FetchedApiKey FetchFromDevelopmentServer(Uri server)
        {
            WriteVerbose($"POST {ServerAddress.Endpoint(server, "api/v1/dev_fetch_api_key")} as '{Email}'.");
            var fetched = Send("Fetching a Zulip API key", (client, token) => client.DevFetchApiKeyAsync(server, Email, token));
            return CompleteUserId(fetched);
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
            // The key records how its server was reached, so Export-ZulipRc writes cert_bundle (and insecure=true
            // only with its -Insecure) and Test-ZulipApiKey reaches the server the same way.
            var key = new ZulipApiKey(fetched.Server, fetched.Email, fetched.ApiKey, fetched.UserId)
            {
                SkipCertificateCheck = SkipCertificateCheck,
                CertificateBundle = CertificateBundlePath,
            };
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
