using System.Security;

namespace ZulipAuth.Client
{
    /// <summary>One entry of GET /api/v1/bots: the caller's own active bot, with its key where the server still sends it.</summary>
    internal sealed class OwnedBot
    {
        public OwnedBot(string email, SecureString? apiKey)
        {
            Email = email;
            ApiKey = apiKey;
        }

        public string Email { get; }

        public SecureString? ApiKey { get; }
    }
}
