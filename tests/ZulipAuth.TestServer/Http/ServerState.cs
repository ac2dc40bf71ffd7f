using Microsoft.AspNetCore.Http;

namespace ZulipAuth.TestServer.Http;

/// <summary>What the Host header selects, as Zulip decides from the subdomain.</summary>
internal enum HostTarget
{
    /// <summary>The organization (TestUsers.MainRealm).</summary>
    Realm,

    /// <summary>A host that is not ours: an unknown subdomain.</summary>
    UnknownSubdomain,

    /// <summary>The root domain of a server with a landing page and no organization there.</summary>
    RootLandingPage,

    /// <summary>The root domain with no organization and no landing page.</summary>
    RootWithoutOrganization,
}

/// <summary>Everything the endpoints share for one server instance.</summary>
internal sealed class ServerState(ServerBehaviour behaviour)
{
    public ServerBehaviour Behaviour { get; } = behaviour;

    public RateLimiter RateLimiter { get; } = new();

    /// <summary>Cancelled when the server stops, so stalled and endless answers end at once.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public int HttpPort { get; set; }

    public int HttpsPort { get; set; }

    public HostTarget ResolveHost(HttpRequest request)
    {
        var host = request.Host.Host;
        if (!Behaviour.AcceptedHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
            return HostTarget.UnknownSubdomain;
        if (Behaviour.RootDomainLandingPage)
            return HostTarget.RootLandingPage;
        if (Behaviour.RootDomainWithoutOrganization)
            return HostTarget.RootWithoutOrganization;
        return HostTarget.Realm;
    }

    /// <summary>The realm's URL as server_settings reports it: the override, else this request's origin.</summary>
    public string RealmUrl(HttpRequest request) =>
        Behaviour.RealmUrlOverride ?? $"{request.Scheme}://{request.Host.Value}";

    /// <summary>Case-insensitive email lookup inside the organization we serve.</summary>
    public static TestUser? FindInRealm(string email) =>
        TestUsers.All.FirstOrDefault(u =>
            u.Realm == TestUsers.MainRealm && string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the email belongs to an account in some other organization on this server.</summary>
    public static bool ExistsInOtherRealm(string email) =>
        TestUsers.All.Any(u =>
            u.Realm != TestUsers.MainRealm && string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));

    /// <summary>LDAP login-name lookup (LDAP usernames are case-insensitive).</summary>
    public static TestUser? FindByLdapLogin(string loginName) =>
        TestUsers.All.FirstOrDefault(u =>
            u.Realm == TestUsers.MainRealm && string.Equals(u.LdapLoginName, loginName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The user whose current key this is, in any organization.</summary>
    public TestUser? FindByApiKey(string apiKey) =>
        TestUsers.All.FirstOrDefault(u => string.Equals(Behaviour.CurrentApiKey(u), apiKey, StringComparison.Ordinal));
}
