using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Get-ZulipBotApiKey: a bot's key, read with the key of its owner or of an administrator, as a ZulipApiKey
    /// for the bot (its email and user id), so a runbook can run as the bot.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZulipBotApiKey", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(ZulipApiKey), typeof(string))]
    public sealed class GetZulipBotApiKeyCommand : ZulipBotKeyCmdlet
    {
        /// <summary>GET /api/v1/bots/{bot_id}/api_key exists from Zulip 12.0.</summary>
        private const int BotKeyRouteFeatureLevel = 463;

        private const int OutgoingWebhookBot = 3;

        protected override void ProcessRecord()
        {
            Uri? server = TargetServer();
            try
            {
                var (resolved, email, key) = Caller();
                server = resolved;
                var bot = ResolveBot(server, email, key);
                var botKey = ReadKey(server, email, key, bot);
                var result = new ZulipApiKey(server, bot.AuthEmail!, botKey, bot.UserId);
                if (bot.BotType == OutgoingWebhookBot)
                {
                    result.ServiceToken = ReadServiceToken(server, email, key, bot);
                }

                EmitKey(result);
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }

        private SecureString ReadKey(Uri server, string email, SecureString key, ZulipUserDetails bot)
        {
            var level = ReadServerSettings(server).ZulipFeatureLevel;
            if (level >= BotKeyRouteFeatureLevel)
            {
                WriteVerbose($"GET {ServerAddress.Endpoint(server, $"api/v1/bots/{bot.UserId}/api_key")} as '{email}'.");
                try
                {
                    return Send("Reading the Zulip bot's API key", (client, token) => client.GetBotApiKeyAsync(server, email, key, bot.UserId, token));
                }
                catch (ZulipApiException e) when (e.ErrorId == ZulipErrorId.FeatureUnsupported)
                {
                    WriteVerbose("The server has no bots/{bot_id}/api_key route after all; reading the caller's own bots instead.");
                }
            }

            WriteVerbose($"Feature level {level} is below {BotKeyRouteFeatureLevel}: GET {ServerAddress.Endpoint(server, "api/v1/bots")} (the caller's own bots) as '{email}'.");
            var own = Send("Reading the caller's Zulip bots", (client, token) => client.GetOwnBotsAsync(server, email, key, token));
            var match = own.FirstOrDefault(b => string.Equals(b.Email, bot.AuthEmail, StringComparison.OrdinalIgnoreCase) || string.Equals(b.Email, bot.Email, StringComparison.OrdinalIgnoreCase));
            if (match == null)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.BotKeyOwnerOnly,
                    $"{Describe(bot)} is not among the active bots owned by {email}; on this server (feature level {level}, before Zulip 12.0 / 463) only a bot's owner can read its key.",
                    "Use the owner's key; or, as an administrator, regenerate the key with Reset-ZulipBotApiKey (the bot's current key then stops working).");
            }

            return match.ApiKey ?? throw ZulipApiException.WithHint(ZulipErrorId.BotKeyOwnerOnly,
                $"The server lists {Describe(bot)} among {email}'s bots but without its key.",
                "Read the key in the web app (Personal settings > Bots), or regenerate it with Reset-ZulipBotApiKey.");
        }

        private SecureString? ReadServiceToken(Uri server, string email, SecureString key, ZulipUserDetails bot)
        {
            WriteVerbose($"POST {ServerAddress.Endpoint(server, "api/v1/register")} for the outgoing-webhook bot's service token.");
            try
            {
                var token = Send("Reading the Zulip bot's service token", (client, cancel) => client.GetOutgoingWebhookTokenAsync(server, email, key, bot.UserId, cancel));
                if (token == null)
                {
                    WriteWarning($"The server did not give the service token of {Describe(bot)}; ServiceToken is empty.");
                }

                return token;
            }
            catch (ZulipApiException e)
            {
                WriteWarning($"The key of {Describe(bot)} was read, but its service token could not be ({e.ErrorId}); ServiceToken is empty.");
                return null;
            }
        }
    }
}
