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
    public sealed partial class TestZulipApiKeyCommand : ZulipCallerCmdlet
    {
        protected override void ProcessRecord()
        {
            Uri? server = TargetServer();
            try
            {
                var (resolved, email, key) = Caller();
                server = resolved;
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
