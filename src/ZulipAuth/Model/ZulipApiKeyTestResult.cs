namespace ZulipAuth
{
    /// <summary>What Test-ZulipApiKey -Detailed found: the verdict, the server's reason, and the account as the server sees it.</summary>
    public sealed class ZulipApiKeyTestResult
    {
        public bool Valid { get; internal set; }

        /// <summary>The server's words when the key was rejected; null when valid.</summary>
        public string? Reason { get; internal set; }

        public System.Uri Server { get; internal set; } = null!;

        /// <summary>The email the key was tested with, or the one the server reports for a valid key.</summary>
        public string? Email { get; internal set; }

        /// <summary>The account's real address (what HTTP Basic auth compares with), when the server shows it.</summary>
        public string? DeliveryEmail { get; internal set; }

        public int? UserId { get; internal set; }

        public string? FullName { get; internal set; }

        public bool? IsBot { get; internal set; }

        /// <summary>Owner, Administrator, Moderator, Member or Guest (or the number for a role this module does not know).</summary>
        public string? Role { get; internal set; }

        public string? ZulipVersion { get; internal set; }

        public int? ZulipFeatureLevel { get; internal set; }

        /// <summary>Where the key came from: Object, File, Environment or Credential.</summary>
        public string Source { get; internal set; } = "Object";

        /// <summary>The zuliprc the key was read from, when it came from a file.</summary>
        public string? SourcePath { get; internal set; }

        public override string ToString() => Valid ? $"Valid: {Email} on {Server}" : $"Invalid: {Email} on {Server} ({Reason})";

        internal static string RoleName(int? role) => role switch
        {
            null => null!,
            100 => "Owner",
            200 => "Administrator",
            300 => "Moderator",
            400 => "Member",
            600 => "Guest",
            _ => role.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
