using System;
using System.Management.Automation;
using System.Security;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>Test-ZulipApiKey -Detailed: the verdict as an object a runbook can log and a person can read.</summary>
    public sealed partial class TestZulipApiKeyCommand
    {
        /// <summary>Emit a ZulipApiKeyTestResult instead of [bool].</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        private void TestDetailed(Uri server, string email, SecureString key)
        {
            var result = new ZulipApiKeyTestResult
            {
                Server = server,
                Email = email,
                Source = ParameterSetName == InputObjectSet ? InputObject.Source ?? "Object" : "Credential",
                SourcePath = ParameterSetName == InputObjectSet ? InputObject.SourcePath : null,
            };

            WriteVerbose($"GET {ServerAddress.Endpoint(server, "api/v1/users/me")} as '{email}'.");
            try
            {
                var user = Send("Testing a Zulip API key", (client, token) => client.GetOwnUserDetailsAsync(server, email, key, token));
                result.Valid = true;
                result.Email = user.Email ?? email;
                result.DeliveryEmail = user.DeliveryEmail;
                result.UserId = user.UserId;
                result.FullName = user.FullName;
                result.IsBot = user.IsBot;
                result.Role = user.Role.HasValue ? ZulipApiKeyTestResult.RoleName(user.Role) : null;
            }
            catch (ZulipApiException rejected) when (IsVerdictOnKey(rejected) || IsRefusedWebhookBot(rejected))
            {
                result.Valid = false;
                result.Reason = rejected.ServerMessage ?? rejected.ErrorId;
            }

            ReadVersion(server, result);
            WriteObject(result);
        }

        // An incoming-webhook bot's key gets 401 from users/me; the [bool] form says $false for it, and so does this.
        private static bool IsRefusedWebhookBot(ZulipApiException e) =>
            e.StatusCode == System.Net.HttpStatusCode.Unauthorized && e.ErrorId == ZulipErrorId.BotCallerNotAllowed;

        /// <summary>The version from server_settings (cached); a failure there leaves it empty, since the verdict stands.</summary>
        private void ReadVersion(Uri server, ZulipApiKeyTestResult result)
        {
            try
            {
                var settings = ReadServerSettings(server);

                result.ZulipVersion = settings.ZulipVersion;
                result.ZulipFeatureLevel = settings.ZulipFeatureLevel;
            }
            catch (ZulipApiException e)
            {
                WriteWarning($"The server's version could not be read ({e.ErrorId}); ZulipVersion and ZulipFeatureLevel are empty.");
            }
        }
    }
}
