using System;
using System.Management.Automation;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Reset-ZulipBotApiKey: regenerates a bot's key (POST /api/v1/bots/{bot_id}/api_key/regenerate) with the key
    /// of its owner or of an administrator, and emits the bot's new key. Sent at most once.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "ZulipBotApiKey", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ZulipApiKey), typeof(string))]
    public sealed class ResetZulipBotApiKeyCommand : ZulipBotKeyCmdlet
    {
        protected override void ProcessRecord()
        {
            Uri? server = TargetServer();
            try
            {
                var (resolved, email, key) = Caller();
                server = resolved;
                var bot = ResolveBot(server, email, key);
                var what = $"Regenerate the API key of the bot {Describe(bot)} on {server}. Its current key stops working at once: every script, integration and zuliprc that holds it breaks.";
                if (!ShouldProcess(what, what + " Continue?", "Reset-ZulipBotApiKey"))
                {
                    return;
                }

                WriteVerbose($"POST {ServerAddress.Endpoint(server, $"api/v1/bots/{bot.UserId}/api_key/regenerate")} as '{email}'.");
                var newKey = Send("Regenerating the Zulip bot's API key", (client, token) => client.RegenerateBotApiKeyAsync(server, email, key, bot.UserId, token));
                EmitKey(new ZulipApiKey(server, bot.AuthEmail!, newKey, bot.UserId));
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }
    }
}
