namespace ZulipAuth.TestServer;

/// <summary>Switches for the web sign-in routes (SSO start, fake identity provider, desktop tokens, sessions).</summary>
public sealed class WebLoginBehaviour
{
    private readonly Lock _gate = new();
    private string _userEmail = TestUsers.Iago.Email;
    private bool _waitForClick;
    private string? _redirectRealmOverride;
    private string? _redirectKeyOverride;
    private TimeSpan _loginTokenLifetime = TimeSpan.FromSeconds(15);
    private string? _csrfTrustedOrigin;

    /// <summary>Who the fake identity provider signs in (default Iago).</summary>
    public string UserEmail { get { lock (_gate) return _userEmail; } set { lock (_gate) _userEmail = value; } }

    /// <summary>The identity provider shows a page with a button instead of completing at once (for the demo).</summary>
    public bool WaitForClick { get { lock (_gate) return _waitForClick; } set { lock (_gate) _waitForClick = value; } }

    /// <summary>Puts this text in the zulip:// redirect's <c>realm</c> (another organization's redirect).</summary>
    public string? RedirectRealmOverride { get { lock (_gate) return _redirectRealmOverride; } set { lock (_gate) _redirectRealmOverride = value; } }

    /// <summary>Puts this text in the redirect's <c>otp_encrypted_api_key</c> (a malformed key).</summary>
    public string? RedirectKeyOverride { get { lock (_gate) return _redirectKeyOverride; } set { lock (_gate) _redirectKeyOverride = value; } }

    /// <summary>How long a desktop login token can be redeemed (Zulip: 15 s).</summary>
    public TimeSpan LoginTokenLifetime { get { lock (_gate) return _loginTokenLifetime; } set { lock (_gate) _loginTokenLifetime = value; } }

    /// <summary>
    /// The one origin Django trusts for CSRF (a server behind a proxy that rewrites the host, or a wrong
    /// CSRF_TRUSTED_ORIGINS); null: the request's own scheme and host, as a correctly set up server.
    /// </summary>
    public string? CsrfTrustedOrigin { get { lock (_gate) return _csrfTrustedOrigin; } set { lock (_gate) _csrfTrustedOrigin = value; } }
}
