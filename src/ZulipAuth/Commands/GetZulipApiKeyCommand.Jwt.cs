using System;
using System.Management.Automation;
using System.Security;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>Get-ZulipApiKey -JsonWebToken: POST /api/v1/jwt/fetch_api_key with a token the organization's issuer signed.</summary>
    public sealed partial class GetZulipApiKeyCommand
    {
        private const string JwtSet = "Jwt";

        /// <summary>JSON Web Token login exists from Zulip 7.0.</summary>
        private const int JwtFeatureLevel = 160;

        /// <summary>A JSON Web Token signed by the organization's issuer (a credential: SecureString, from a vault or a CI secret).</summary>
        [Parameter(Mandatory = true, ParameterSetName = JwtSet)]
        [ValidateNotNull]
        public SecureString JsonWebToken { get; set; } = null!;

        private FetchedApiKey FetchWithJsonWebToken(Uri server)
        {
            if (JsonWebToken.Length == 0)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.JwtInvalid, "The JSON Web Token is empty. Nothing was sent.", "Pass the token your organization's issuer signed in -JsonWebToken.");
            }

            // The same preflight as for passwords: a token is a credential and is not sent where it cannot work.
            var settings = ReadServerSettings(server);
            if (settings.ZulipFeatureLevel < JwtFeatureLevel)
            {
                throw new ZulipApiException(ZulipErrorId.FeatureUnsupported, $"{server} runs Zulip {settings.ZulipVersion ?? "(unknown version)"} (feature level {settings.ZulipFeatureLevel}); JSON Web Token login exists from Zulip 7.0 (feature level {JwtFeatureLevel}). The token was not sent. Upgrade the server, or log in with -Credential.")
                {
                    RequestUri = server,
                    Hint = "Upgrade the server, or log in with -Credential.",
                };
            }

            var target = Follow(LoginPreflight.Target(server, settings, "the token"));
            WriteVerbose($"POST {ServerAddress.Endpoint(target, "api/v1/jwt/fetch_api_key")} with a JSON Web Token.");
            var fetched = Send("Fetching a Zulip API key with a JSON Web Token", (client, token) => client.JwtFetchApiKeyAsync(target, JsonWebToken, token));
            return CompleteUserId(fetched);
        }
    }
}
