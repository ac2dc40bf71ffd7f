namespace ZulipAuth.Client
{
    /// <summary>The parts of a Zulip user object (users/me, users/{id}, users/{email}) the key cmdlets use.</summary>
    internal sealed class ZulipUserDetails
    {
        public int UserId { get; set; }

        public string? Email { get; set; }

        public string? DeliveryEmail { get; set; }

        public string? FullName { get; set; }

        public bool IsBot { get; set; }

        /// <summary>1 generic, 2 incoming webhook, 3 outgoing webhook, 4 embedded; null for people.</summary>
        public int? BotType { get; set; }

        public int? BotOwnerId { get; set; }

        /// <summary>100 owner, 200 administrator, 300 moderator, 400 member, 600 guest.</summary>
        public int? Role { get; set; }

        public bool? IsActive { get; set; }

        /// <summary>The address HTTP Basic auth compares with (delivery_email, else email).</summary>
        public string? AuthEmail => string.IsNullOrEmpty(DeliveryEmail) ? Email : DeliveryEmail;

        internal static ZulipUserDetails? Read(JsonObject? json)
        {
            var id = json?.GetInt("user_id");
            if (json == null || !id.HasValue)
            {
                return null;
            }

            return new ZulipUserDetails
            {
                UserId = id.Value,
                Email = json.GetString("email"),
                DeliveryEmail = json.GetString("delivery_email"),
                FullName = json.GetString("full_name"),
                IsBot = json.GetBool("is_bot") ?? false,
                BotType = json.GetInt("bot_type"),
                BotOwnerId = json.GetInt("bot_owner_id"),
                Role = json.GetInt("role"),
                IsActive = json.GetBool("is_active"),
            };
        }
    }
}
