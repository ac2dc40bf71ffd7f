using System;
using System.Management.Automation;
using System.Security;

namespace ZulipAuth
{
    /// <summary>
    /// A Zulip API key and who it belongs to. <see cref="Credential"/> pairs the key with the email the server
    /// returned, which is what HTTP Basic auth needs (for LDAP users it differs from the login name).
    /// </summary>
    public sealed class ZulipApiKey
    {
        public ZulipApiKey(Uri server, string email, SecureString apiKey, int? userId)
        {
            Server = server ?? throw new ArgumentNullException(nameof(server));
            Email = email ?? throw new ArgumentNullException(nameof(email));
            ApiKey = apiKey ?? throw new ArgumentNullException(nameof(apiKey));
            if (!ApiKey.IsReadOnly())
            {
                ApiKey.MakeReadOnly();
            }

            UserId = userId;
            Credential = new PSCredential(Email, ApiKey);
        }

        /// <summary>The organization URL the key works against.</summary>
        public Uri Server { get; }

        /// <summary>The email the server returned; use it (not the login name) with the key.</summary>
        public string Email { get; }

        /// <summary>The user's id; null for keys from servers before Zulip 7.0 that could not be asked, and for keys read from a zuliprc.</summary>
        public int? UserId { get; }

        public SecureString ApiKey { get; }

        /// <summary>Email and key as a credential, for <c>Invoke-RestMethod -Authentication Basic -Credential</c> and <c>Set-Secret</c>.</summary>
        public PSCredential Credential { get; }

        /// <summary>
        /// True when the key came from a zuliprc (or ZULIP_ALLOW_INSECURE) that turns certificate checking off
        /// (<c>insecure=true</c>), or was fetched with -SkipCertificateCheck. The cmdlets that take a key then skip
        /// the check for it (with a warning) unless -SkipCertificateCheck or -CertificateBundle is given.
        /// </summary>
        public bool SkipCertificateCheck { get; internal set; }

        /// <summary>Full path of the CA certificates that alone are trusted for this server (<c>cert_bundle</c> / ZULIP_CERT_BUNDLE, or the -CertificateBundle the key was fetched with); null for the system's.</summary>
        public string? CertificateBundle { get; internal set; }

        /// <summary>Full path of the client certificate (<c>client_cert</c> / ZULIP_CERT); null for none.</summary>
        public string? ClientCertificate { get; internal set; }

        /// <summary>Full path of the client certificate's private key (<c>client_cert_key</c> / ZULIP_CERT_KEY), when it is not in the certificate file.</summary>
        public string? ClientCertificateKey { get; internal set; }

        /// <summary>An outgoing-webhook bot's service token (the zuliprc's <c>token=</c>), or null.</summary>
        public SecureString? ServiceToken { get; internal set; }

        /// <summary>Where the key came from: "File", "Environment" (Import-ZulipRc), or null for a key fetched from the server.</summary>
        public string? Source { get; internal set; }

        /// <summary>The zuliprc the key was read from, or null.</summary>
        public string? SourcePath { get; internal set; }

        public override string ToString() => $"{Client.DisplayText.Neutralize(Email)} on {Server}";
    }
}
