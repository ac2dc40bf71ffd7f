namespace ZulipAuth.Client
{
    /// <summary>The part of GET /api/v1/users/me the module uses.</summary>
    internal sealed class OwnUser
    {
        public OwnUser(int userId, string? email, string? fullName)
        {
            UserId = userId;
            Email = email;
            FullName = fullName;
        }

        public int UserId { get; }

        public string? Email { get; }

        public string? FullName { get; }
    }
}
