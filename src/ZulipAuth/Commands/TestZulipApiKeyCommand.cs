using System;
using System.Management.Automation;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Test-ZulipApiKey: $true when the server accepts the key, $false when it rejects it (revoked key,
    /// deactivated account or organization), and an error when the answer says nothing about the key.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ZulipApiKey", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(bool), typeof(ZulipApiKeyTestResult))]
    public sealed partial class TestZulipApiKeyCommand : ZulipWebCmdlet
    {
        private const string InputObjectSet = "InputObject";
        private const string CredentialSet = "Credential";

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

        protected override void ProcessRecord()
        {
            Uri? server = null;
            try
            {
                server = ParameterSetName == InputObjectSet ? ServerAddress.Normalize(InputObject.Server.AbsoluteUri) : ServerAddress.Normalize(Server);
                Client.RequireEncryption(server, "the API key");

                // Asked only now, when the key could be sent to the server the prompt names.
                var credential = ParameterSetName == InputObjectSet
                    ? InputObject.Credential
                    : CredentialPromptAttribute.CompleteApiKey(this, Credential, server);
                var email = ParameterSetName == InputObjectSet ? InputObject.Email : credential.UserName;
                var key = ParameterSetName == InputObjectSet ? InputObject.ApiKey : credential.Password;
                if (Detailed)
                {
                    TestDetailed(server, email, key);
                    return;
                }

                WriteVerbose($"GET {ServerAddress.Endpoint(server, "api/v1/users/me")} as '{email}'.");
                try
                {
                    var user = Send("Testing a Zulip API key", (client, token) => client.GetOwnUserAsync(server, email, key, token));
                    WriteVerbose($"The key works: user id {user.UserId}{(user.FullName == null ? string.Empty : " (" + user.FullName + ")")}.");
                    WriteObject(true);
                }
                catch (ZulipApiException rejected) when (IsVerdictOnKey(rejected))
                {
                    WriteVerbose($"The server rejected the key: {rejected.ServerMessage ?? rejected.ErrorId}.");
                    WriteObject(false);
                }
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }

        // A 401 (UNAUTHORIZED, or a deactivation) is the server's verdict on the key; everything else
        // (unreachable, 5xx, not Zulip, rate limited) says nothing about it and stays an error.
        private static bool IsVerdictOnKey(ZulipApiException e) =>
            e.StatusCode == System.Net.HttpStatusCode.Unauthorized &&
            (e.ErrorId == ZulipErrorId.InvalidApiKey || e.ErrorId == ZulipErrorId.UserDeactivated || e.ErrorId == ZulipErrorId.RealmDeactivated);
    }
}
