using System.Security.Cryptography;

namespace ZulipAuth.TestServer;

/// <summary>
/// Switches that shape how the test server answers. Every member may be changed from the test thread
/// while requests are being served: all state sits behind one lock, and the server reads each value
/// when it needs it, so a change applies from the next request on.
/// </summary>
public sealed class ServerBehaviour
{
    private readonly Lock _gate = new();

    // Version -------------------------------------------------------------------------------------------
    private int _featureLevel = 400;
    private string _zulipVersion = "11.0";
    private string _zulipMergeBase = "11.0";
    private bool _oldServer;

    // Authentication and organization -----------------------------------------------------------------
    private bool _passwordAuthEnabled = true;
    private bool _ldapEnabled;
    private bool _developmentEnvironment;
    private bool _devAuthEnabled = true;
    private bool _realmDeactivated;
    private IReadOnlyCollection<string> _acceptedHosts = ["127.0.0.1", "localhost"];
    private bool _rootDomainLandingPage;
    private bool _rootDomainWithoutOrganization;

    // Rate limit ----------------------------------------------------------------------------------------
    private int _rateLimitAttempts = 5;
    private TimeSpan _rateLimitWindow = TimeSpan.FromSeconds(1800);
    private TimeProvider _clock = TimeProvider.System;

    // server_settings ---------------------------------------------------------------------------------
    private string? _realmUrlOverride;
    private bool _omitOptionalFields;
    private IReadOnlyList<ExternalAuthMethod> _externalAuthenticationMethods = [];
    private string _realmName = "Zulip Dev";
    private string _realmIcon = "/static/images/logo/zulip-icon-128x128.png";
    private string _realmDescription =
        "<p>The Zulip development environment default organization.  It's great for testing!</p>";
    private bool _realmWebPublicAccessEnabled;
    private bool _pushNotificationsEnabled;
    private bool _isIncompatible;

    // Runtime user state ----------------------------------------------------------------------------------
    private readonly Dictionary<string, string> _apiKeyOverrides = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, bool> _activeOverrides = new(StringComparer.OrdinalIgnoreCase);

    // Faults --------------------------------------------------------------------------------------------
    private FaultKind _fault;
    private string? _faultPath;
    private string? _faultMethod;
    private int _faultCount = -1;
    private TimeSpan _faultDelay = TimeSpan.FromSeconds(2);
    private TimeSpan _stallLimit = TimeSpan.FromMinutes(2);
    private string? _faultLocation;
    private double _faultRetryAfterSeconds = 0.5;
    private int _faultsServed;

    /// <summary>The web sign-in routes' switches.</summary>
    public WebLoginBehaviour WebLogin { get; } = new();

    /// <summary>API feature level (default 400). Below 171 success bodies have no <c>user_id</c>; from 167
    /// unknown parameters are listed in <c>ignored_parameters_unsupported</c>; below 257 server_settings has
    /// only <c>realm_uri</c>; 0 drops <c>zulip_feature_level</c> and <c>zulip_merge_base</c>.</summary>
    public int FeatureLevel { get { lock (_gate) return _featureLevel; } set { lock (_gate) _featureLevel = value; } }

    /// <summary>server_settings' <c>zulip_version</c> (default "11.0").</summary>
    public string ZulipVersion { get { lock (_gate) return _zulipVersion; } set { lock (_gate) _zulipVersion = value; } }

    /// <summary>server_settings' <c>zulip_merge_base</c> (default "11.0"; sent from feature level 88).</summary>
    public string ZulipMergeBase { get { lock (_gate) return _zulipMergeBase; } set { lock (_gate) _zulipMergeBase = value; } }

    /// <summary>Answer like a pre-error-code server: failed login is 403 "Your username or password is
    /// incorrect." with a <c>reason</c> field; no error carries <c>code</c>; success has no <c>user_id</c>
    /// and no <c>ignored_parameters_unsupported</c>.</summary>
    public bool OldServer { get { lock (_gate) return _oldServer; } set { lock (_gate) _oldServer = value; } }

    /// <summary>Email/password authentication (EmailAuthBackend). Default true.</summary>
    public bool PasswordAuthEnabled { get { lock (_gate) return _passwordAuthEnabled; } set { lock (_gate) _passwordAuthEnabled = value; } }

    /// <summary>LDAP authentication: usernames may be login names (no email check), LDAP users can log in,
    /// and server_settings says <c>require_email_format_usernames: false</c>.</summary>
    public bool LdapEnabled { get { lock (_gate) return _ldapEnabled; } set { lock (_gate) _ldapEnabled = value; } }

    /// <summary>Behave as a development server: POST /api/v1/dev_fetch_api_key exists. When false that
    /// path is an unknown URL (404), as on production.</summary>
    public bool DevelopmentEnvironment { get { lock (_gate) return _developmentEnvironment; } set { lock (_gate) _developmentEnvironment = value; } }

    /// <summary>DevAuthBackend enabled on the development server (default true); false makes
    /// dev_fetch_api_key answer 400 "DevAuthBackend not enabled.".</summary>
    public bool DevAuthEnabled { get { lock (_gate) return _devAuthEnabled; } set { lock (_gate) _devAuthEnabled = value; } }

    /// <summary>The organization is deactivated.</summary>
    public bool RealmDeactivated { get { lock (_gate) return _realmDeactivated; } set { lock (_gate) _realmDeactivated = value; } }

    /// <summary>Host names (port ignored, case-insensitive) that reach the organization. Any other Host is an
    /// unknown subdomain. Default "127.0.0.1" and "localhost"; set e.g. ["127.0.0.1"] to make localhost unknown.</summary>
    public IReadOnlyCollection<string> AcceptedHosts
    {
        get { lock (_gate) return _acceptedHosts; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            // Copy, so later changes to the caller's collection cannot race with request threads.
            var copy = value.ToArray();
            lock (_gate) _acceptedHosts = copy;
        }
    }

    /// <summary>The hosts are a root domain with a landing page and no organization: server_settings answers
    /// 400 "Subdomain required", fetch_api_key 404 "Invalid subdomain".</summary>
    public bool RootDomainLandingPage { get { lock (_gate) return _rootDomainLandingPage; } set { lock (_gate) _rootDomainLandingPage = value; } }

    /// <summary>The hosts are a root domain without an organization and without a landing page: server_settings
    /// answers 200 without the realm_* fields, fetch_api_key 404 "Invalid subdomain".</summary>
    public bool RootDomainWithoutOrganization { get { lock (_gate) return _rootDomainWithoutOrganization; } set { lock (_gate) _rootDomainWithoutOrganization = value; } }

    /// <summary>Login attempts allowed per username per <see cref="RateLimitWindow"/> (default 5; 0 turns the
    /// limit off).</summary>
    public int RateLimitAttempts { get { lock (_gate) return _rateLimitAttempts; } set { lock (_gate) _rateLimitAttempts = value; } }

    /// <summary>Rate-limit window (default 1800 s).</summary>
    public TimeSpan RateLimitWindow { get { lock (_gate) return _rateLimitWindow; } set { lock (_gate) _rateLimitWindow = value; } }

    /// <summary>Clock for the rate limit, so a test can use a fake TimeProvider instead of waiting.</summary>
    public TimeProvider Clock
    {
        get { lock (_gate) return _clock; }
        set { ArgumentNullException.ThrowIfNull(value); lock (_gate) _clock = value; }
    }

    /// <summary>When set, server_settings' <c>realm_url</c>/<c>realm_uri</c> (e.g. "https://chat.example.com");
    /// otherwise the scheme and Host of the request.</summary>
    public string? RealmUrlOverride { get { lock (_gate) return _realmUrlOverride; } set { lock (_gate) _realmUrlOverride = value; } }

    /// <summary>Drop every server_settings field that Zulip sends only when not null.</summary>
    public bool OmitOptionalFields { get { lock (_gate) return _omitOptionalFields; } set { lock (_gate) _omitOptionalFields = value; } }

    /// <summary>SSO methods shown in server_settings; each also turns its <c>authentication_methods</c> flag on.
    /// Assign a new list (it is copied); default empty.</summary>
    public IReadOnlyList<ExternalAuthMethod> ExternalAuthenticationMethods
    {
        get { lock (_gate) return _externalAuthenticationMethods; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var copy = value.ToArray();
            lock (_gate) _externalAuthenticationMethods = copy;
        }
    }

    /// <summary>server_settings' <c>realm_name</c> (default "Zulip Dev").</summary>
    public string RealmName { get { lock (_gate) return _realmName; } set { lock (_gate) _realmName = value; } }

    /// <summary>server_settings' <c>realm_icon</c>, a URL relative to the realm.</summary>
    public string RealmIcon { get { lock (_gate) return _realmIcon; } set { lock (_gate) _realmIcon = value; } }

    /// <summary>server_settings' <c>realm_description</c> (rendered HTML).</summary>
    public string RealmDescription { get { lock (_gate) return _realmDescription; } set { lock (_gate) _realmDescription = value; } }

    /// <summary>server_settings' <c>realm_web_public_access_enabled</c> (sent from feature level 116).</summary>
    public bool RealmWebPublicAccessEnabled { get { lock (_gate) return _realmWebPublicAccessEnabled; } set { lock (_gate) _realmWebPublicAccessEnabled = value; } }

    /// <summary>server_settings' <c>push_notifications_enabled</c>.</summary>
    public bool PushNotificationsEnabled { get { lock (_gate) return _pushNotificationsEnabled; } set { lock (_gate) _pushNotificationsEnabled = value; } }

    /// <summary>server_settings' <c>is_incompatible</c> (the server considers the client too old).</summary>
    public bool IsIncompatible { get { lock (_gate) return _isIncompatible; } set { lock (_gate) _isIncompatible = value; } }

    private string? _jwtSecret;

    /// <summary>The organization's <c>JWT_AUTH_KEYS</c> entry (HS256 secret); null (default) = JWT login not
    /// enabled, so jwt/fetch_api_key answers 400 "JWT authentication is not enabled for this organization".</summary>
    public string? JwtSecret { get { lock (_gate) return _jwtSecret; } set { lock (_gate) _jwtSecret = value; } }

    // ---------------------------------------------------------------------------------------------------
    // Users

    /// <summary>Regenerates the user's API key, as "Regenerate API key" does: the old key then gets 401
    /// "Invalid API key" on users/me, and fetch_api_key returns the new key. Returns the new key.</summary>
    public string RevokeApiKey(string email)
    {
        var user = TestUsers.FindByEmail(email) ?? throw new ArgumentException($"No test user '{email}'.", nameof(email));
        var key = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
        lock (_gate) _apiKeyOverrides[user.Email] = key;
        return key;
    }

    /// <summary>The user's current API key (after any <see cref="RevokeApiKey"/>).</summary>
    public string CurrentApiKey(string email)
    {
        var user = TestUsers.FindByEmail(email) ?? throw new ArgumentException($"No test user '{email}'.", nameof(email));
        return CurrentApiKey(user);
    }

    internal string CurrentApiKey(TestUser user)
    {
        lock (_gate) return _apiKeyOverrides.TryGetValue(user.Email, out var key) ? key : user.ApiKey;
    }

    /// <summary>Deactivates or reactivates an account while the server runs.</summary>
    public void SetUserActive(string email, bool active)
    {
        var user = TestUsers.FindByEmail(email) ?? throw new ArgumentException($"No test user '{email}'.", nameof(email));
        lock (_gate) _activeOverrides[user.Email] = active;
    }

    internal bool IsUserActive(TestUser user)
    {
        lock (_gate) return _activeOverrides.TryGetValue(user.Email, out var active) ? active : user.IsActive;
    }

    /// <summary>Forget revoked keys and (de)activations.</summary>
    public void ResetUsers()
    {
        lock (_gate)
        {
            _apiKeyOverrides.Clear();
            _activeOverrides.Clear();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Faults

    /// <summary>The fault to inject (default None). Prefer <see cref="InjectFault"/>, which sets kind, path,
    /// method and count in one step.</summary>
    public FaultKind Fault { get { lock (_gate) return _fault; } set { lock (_gate) _fault = value; } }

    /// <summary>Only requests to this exact path get the fault; null = every path.</summary>
    public string? FaultPath { get { lock (_gate) return _faultPath; } set { lock (_gate) _faultPath = value; } }

    /// <summary>Only requests with this method (case-insensitive) get the fault; null = every method.</summary>
    public string? FaultMethod { get { lock (_gate) return _faultMethod; } set { lock (_gate) _faultMethod = value; } }

    /// <summary>How many more matching requests get the fault before it heals; -1 = forever (default).</summary>
    public int FaultCount { get { lock (_gate) return _faultCount; } set { lock (_gate) _faultCount = value; } }

    /// <summary>Wait for <see cref="FaultKind.Delay"/> (default 2 s).</summary>
    public TimeSpan FaultDelay { get { lock (_gate) return _faultDelay; } set { lock (_gate) _faultDelay = value; } }

    /// <summary>Longest a <see cref="FaultKind.Stall"/> lasts before the connection is aborted (default 2 min).</summary>
    public TimeSpan StallLimit { get { lock (_gate) return _stallLimit; } set { lock (_gate) _stallLimit = value; } }

    /// <summary>Location for <see cref="FaultKind.RedirectToOtherHost"/>, used verbatim; null = same URL on
    /// host "localhost".</summary>
    public string? FaultLocation { get { lock (_gate) return _faultLocation; } set { lock (_gate) _faultLocation = value; } }

    /// <summary>Seconds for <see cref="FaultKind.RateLimited"/> and <see cref="FaultKind.Status503"/> (default 0.5).</summary>
    public double FaultRetryAfterSeconds { get { lock (_gate) return _faultRetryAfterSeconds; } set { lock (_gate) _faultRetryAfterSeconds = value; } }

    /// <summary>How many requests got a fault so far.</summary>
    public int FaultsServed { get { lock (_gate) return _faultsServed; } }

    /// <summary>Inject <paramref name="kind"/> into the next <paramref name="count"/> requests (-1 = all)
    /// matching <paramref name="path"/> and <paramref name="method"/> (null = any).
    /// Example: <c>InjectFault(FaultKind.RateLimited, "/api/v1/fetch_api_key", 2, "POST")</c>.</summary>
    public void InjectFault(FaultKind kind, string? path = null, int count = -1, string? method = null)
    {
        lock (_gate)
        {
            _fault = kind;
            _faultPath = path;
            _faultCount = count;
            _faultMethod = method;
        }
    }

    /// <summary>Stop injecting faults.</summary>
    public void ClearFault() => InjectFault(FaultKind.None);

    /// <summary>Decides, atomically, whether this request gets the fault, and uses up one of its count.</summary>
    internal FaultKind TakeFault(string method, string path, bool isHttps)
    {
        lock (_gate)
        {
            if (_fault == FaultKind.None || _faultCount == 0)
                return FaultKind.None;
            if (_faultPath is not null && !string.Equals(_faultPath, path, StringComparison.Ordinal))
                return FaultKind.None;
            if (_faultMethod is not null && !string.Equals(_faultMethod, method, StringComparison.OrdinalIgnoreCase))
                return FaultKind.None;
            // Redirecting https to https would loop; nginx only does this on the plain-http server block.
            if (_fault == FaultKind.RedirectToHttps && isHttps)
                return FaultKind.None;
            if (_faultCount > 0)
                _faultCount--;
            _faultsServed++;
            return _fault;
        }
    }
}
