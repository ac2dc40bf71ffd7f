namespace ZulipAuth.TestServer;

/// <summary>Zulip user roles, with the numbers the API uses.</summary>
public enum ZulipRole
{
    Owner = 100,
    Administrator = 200,
    Moderator = 300,
    Member = 400,
    Guest = 600,
}

/// <summary>One account known to the test server. Immutable; runtime changes (revoked keys,
/// deactivation) live in <see cref="ServerBehaviour"/>.</summary>
public sealed record TestUser(
    string Email,
    string? Password,
    string ApiKey,
    int UserId,
    string FullName,
    ZulipRole Role = ZulipRole.Member,
    bool IsActive = true,
    string Realm = TestUsers.MainRealm,
    string? LdapLoginName = null,
    bool PasswordResetRequired = false,
    int? BotType = null,
    int? BotOwnerId = null,
    bool CanCreateUsers = false,
    string? ServiceToken = null)
{
    /// <summary>Bots have a <see cref="BotType"/>: 1 generic, 2 incoming webhook, 3 outgoing webhook, 4 embedded.</summary>
    public bool IsBot => BotType is not null;

    /// <summary>True when the password lives in LDAP: only usable while LDAP is enabled.</summary>
    public bool IsLdapUser => LdapLoginName is not null;
}

/// <summary>
/// The fixed accounts. Constants (not fields) so tests can use them in attributes such as [InlineData].
/// Keys are 32 characters of [A-Za-z0-9] like real Zulip keys; Iago's values are the ones in the Zulip docs.
/// </summary>
public static class TestUsers
{
    /// <summary>The organization served on <see cref="ServerBehaviour.AcceptedHosts"/>.</summary>
    public const string MainRealm = "zulip";

    /// <summary>Another organization on the same server, never reachable through our hosts.</summary>
    public const string OtherRealm = "lear";

    /// <summary>Administrator, the account from the Zulip API documentation.</summary>
    public static class Iago
    {
        public const string Email = "iago@zulip.com";
        public const string Password = "abcd1234";
        public const string ApiKey = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
        public const int UserId = 5;
        public const string FullName = "Iago";
    }

    /// <summary>An ordinary member.</summary>
    public static class Hamlet
    {
        public const string Email = "hamlet@zulip.com";
        public const string Password = "hamlet-pw";
        public const string ApiKey = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO";
        public const int UserId = 10;
        public const string FullName = "King Hamlet";
    }

    /// <summary>A password full of characters that need form encoding (&amp; = + % space, non-ASCII, an emoji
    /// outside the BMP, quotes and a backslash).</summary>
    public static class Othello
    {
        public const string Email = "othello@zulip.com";
        public const string Password = "p&=+% ü€😀;\"'\\";
        public const string ApiKey = "OL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ";
        public const int UserId = 12;
        public const string FullName = "Othello, the Moor of Venice";
    }

    /// <summary>Deactivated account: the right password still gets USER_DEACTIVATED.</summary>
    public static class Deactivated
    {
        public const string Email = "deactivated@zulip.com";
        public const string Password = "deactivated-pw";
        public const string ApiKey = "TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vU";
        public const int UserId = 20;
        public const string FullName = "Deactivated User";
    }

    /// <summary>Stored password too weak to keep: the right password gets PASSWORD_RESET_REQUIRED.</summary>
    public static class Weak
    {
        public const string Email = "weak@zulip.com";
        public const string Password = "123456";
        public const string ApiKey = "CsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ";
        public const int UserId = 21;
        public const string FullName = "Weak Password";
    }

    /// <summary>LDAP account: logs in as <see cref="LoginName"/> (only while LDAP is enabled); the
    /// response's email, and what HTTP Basic auth must use, is <see cref="Email"/>.</summary>
    public static class Ldap
    {
        public const string LoginName = "ldapuser";
        public const string Email = "ldap.user@zulip.com";
        public const string Password = "ldap-pw";
        public const string ApiKey = "De1f8rESQedUStPKR0CsTy4Qwb8DwkNh";
        public const int UserId = 22;
        public const string FullName = "LDAP User";
    }

    /// <summary>Signed up through GitHub and never set a password: every password fails.</summary>
    public static class Passwordless
    {
        public const string Email = "sso.only@zulip.com";
        public const string ApiKey = "FdnXsiVpzz63FfkCzJr4i0B3JrTAwR4y";
        public const int UserId = 23;
        public const string FullName = "Single Sign-On";
    }

    /// <summary>Exists only in the other organization: fetch_api_key answers 404 "Invalid subdomain",
    /// users/me with its key answers "Account is not associated with this subdomain".</summary>
    public static class King
    {
        public const string Email = "king@lear.org";
        public const string Password = "king-pw";
        public const string ApiKey = "9ojfljoQoaF1LlqsajAIxNKu8iS2G8NP";
        public const int UserId = 30;
        public const string FullName = "King Lear";
    }

    /// <summary>The organization owner.</summary>
    public static class Desdemona
    {
        public const string Email = "desdemona@zulip.com";
        public const string Password = "desdemona-pw";
        public const string ApiKey = "Dq7mX2pLk9Vz4Rt1Nw8Hb3Yc6Jf0Ga5S";
        public const int UserId = 4;
        public const string FullName = "Desdemona";
    }

    /// <summary>A guest.</summary>
    public static class Polonius
    {
        public const string Email = "polonius@zulip.com";
        public const string Password = "polonius-pw";
        public const string ApiKey = "Pl0n1usGuestKeyAbCdEfGhIjKlMnOpQ";
        public const int UserId = 13;
        public const string FullName = "Polonius";
    }

    /// <summary>A generic bot owned by Hamlet (a member).</summary>
    public static class GenericBot
    {
        public const string Email = "generic-bot@zulip.com";
        public const string ApiKey = "GenBotKey0123456789abcdefghijKLM";
        public const int UserId = 40;
        public const string FullName = "Generic Bot";
    }

    /// <summary>An incoming-webhook bot owned by Iago (an administrator).</summary>
    public static class WebhookBot
    {
        public const string Email = "webhook-bot@zulip.com";
        public const string ApiKey = "WebhookBotKey0123456789abcdefghi";
        public const int UserId = 41;
        public const string FullName = "Incoming Webhook Bot";
    }

    /// <summary>An outgoing-webhook bot owned by Hamlet, with a service token.</summary>
    public static class OutgoingBot
    {
        public const string Email = "outgoing-bot@zulip.com";
        public const string ApiKey = "OutgoingBotKey0123456789abcdefgh";
        public const int UserId = 42;
        public const string FullName = "Outgoing Webhook Bot";
        public const string ServiceToken = "OutTok3nXyZ0123456789abcdefghijkl";
    }

    /// <summary>An embedded bot owned by Iago.</summary>
    public static class EmbeddedBot
    {
        public const string Email = "embedded-bot@zulip.com";
        public const string ApiKey = "EmbeddedBotKey0123456789abcdefgh";
        public const int UserId = 43;
        public const string FullName = "Embedded Bot";
    }

    /// <summary>A generic bot that may create users, owned by Desdemona: only owners may manage its key.</summary>
    public static class ProvisionerBot
    {
        public const string Email = "provisioner-bot@zulip.com";
        public const string ApiKey = "ProvisionerBotKey0123456789abcde";
        public const int UserId = 44;
        public const string FullName = "Provisioner Bot";
    }

    /// <summary>Every account, in user id order.</summary>
    public static IReadOnlyList<TestUser> All { get; } =
    [
        new(Iago.Email, Iago.Password, Iago.ApiKey, Iago.UserId, Iago.FullName, ZulipRole.Administrator),
        new(Hamlet.Email, Hamlet.Password, Hamlet.ApiKey, Hamlet.UserId, Hamlet.FullName),
        new(Othello.Email, Othello.Password, Othello.ApiKey, Othello.UserId, Othello.FullName),
        new(Deactivated.Email, Deactivated.Password, Deactivated.ApiKey, Deactivated.UserId, Deactivated.FullName,
            IsActive: false),
        new(Weak.Email, Weak.Password, Weak.ApiKey, Weak.UserId, Weak.FullName, PasswordResetRequired: true),
        new(Ldap.Email, Ldap.Password, Ldap.ApiKey, Ldap.UserId, Ldap.FullName, LdapLoginName: Ldap.LoginName),
        new(Passwordless.Email, null, Passwordless.ApiKey, Passwordless.UserId, Passwordless.FullName),
        new(King.Email, King.Password, King.ApiKey, King.UserId, King.FullName, Realm: OtherRealm),
        new(Desdemona.Email, Desdemona.Password, Desdemona.ApiKey, Desdemona.UserId, Desdemona.FullName, ZulipRole.Owner),
        new(Polonius.Email, Polonius.Password, Polonius.ApiKey, Polonius.UserId, Polonius.FullName, ZulipRole.Guest),
        new(GenericBot.Email, null, GenericBot.ApiKey, GenericBot.UserId, GenericBot.FullName, BotType: 1, BotOwnerId: Hamlet.UserId),
        new(WebhookBot.Email, null, WebhookBot.ApiKey, WebhookBot.UserId, WebhookBot.FullName, BotType: 2, BotOwnerId: Iago.UserId),
        new(OutgoingBot.Email, null, OutgoingBot.ApiKey, OutgoingBot.UserId, OutgoingBot.FullName, BotType: 3, BotOwnerId: Hamlet.UserId,
            ServiceToken: OutgoingBot.ServiceToken),
        new(EmbeddedBot.Email, null, EmbeddedBot.ApiKey, EmbeddedBot.UserId, EmbeddedBot.FullName, BotType: 4, BotOwnerId: Iago.UserId),
        new(ProvisionerBot.Email, null, ProvisionerBot.ApiKey, ProvisionerBot.UserId, ProvisionerBot.FullName, BotType: 1,
            BotOwnerId: Desdemona.UserId, CanCreateUsers: true),
    ];

    /// <summary>Case-insensitive lookup by email in any organization, as Zulip's "does this address exist
    /// anywhere" check does.</summary>
    public static TestUser? FindByEmail(string email) =>
        All.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));
}
