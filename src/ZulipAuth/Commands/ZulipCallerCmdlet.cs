using System;
using System.Management.Automation;
using System.Security;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// What the cmdlets that act with an existing key share: the caller's key from the pipeline or as
    /// -Server/-Credential (UserName = the email, Password = the API key), the plain-http rule checked before
    /// anything is sent, and the prompt for a key that names the server it goes to.
    /// </summary>
    public abstract class ZulipCallerCmdlet : ZulipWebCmdlet
    {
        protected const string InputObjectSet = "InputObject";
        protected const string CredentialSet = "Credential";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [ValidateNotNull]
        public ZulipApiKey InputObject { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
        [Alias("Site", "Realm")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerArgumentCompleter))]
        public string Server { get; set; } = string.Empty;

        /// <summary>UserName = the email, Password = the API key.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
        [CredentialPrompt(PromptInCmdlet = true)]
        [ValidateNotNull]
        public PSCredential Credential { get; set; } = null!;

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>-AllowUnencryptedAuthentication, for every request of this cmdlet that carries a secret.</summary>
        protected override bool AllowsUnencryptedAuthentication => AllowUnencryptedAuthentication;

        /// <summary>The caller's server, email and key, after the plain-http rule; throws ZulipApiException.</summary>
        protected (Uri Server, string Email, SecureString Key) Caller()
        {
            var server = ParameterSetName == InputObjectSet ? ServerAddress.Normalize(InputObject.Server.AbsoluteUri) : ServerAddress.Normalize(Server);
            Client.RequireEncryption(server, "the API key");
            if (ParameterSetName == InputObjectSet)
            {
                return (server, InputObject.Email, InputObject.ApiKey);
            }

            // Asked only now, when the key could be sent to the server the prompt names.
            var credential = CredentialPromptAttribute.CompleteApiKey(this, Credential, server);
            return (server, credential.UserName ?? string.Empty, credential.Password);
        }

        /// <summary>The server the failure is about, for an ErrorRecord's target (never a credential).</summary>
        protected Uri? TargetServer()
        {
            try
            {
                return ParameterSetName == InputObjectSet ? InputObject?.Server : ServerAddress.Normalize(Server);
            }
            catch (ZulipApiException)
            {
                return null;
            }
        }
    }
}
