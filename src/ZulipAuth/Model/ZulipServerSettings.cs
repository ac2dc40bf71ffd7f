using System;
using System.Collections.Generic;

namespace ZulipAuth
{
    /// <summary>What GET /api/v1/server_settings says about an organization. Fields the server leaves out are null.</summary>
    public sealed class ZulipServerSettings
    {
        /// <summary>The server address as given (normalised).</summary>
        public Uri Server { get; internal set; } = null!;

        /// <summary>The organization's canonical URL (<c>realm_url</c>, or <c>realm_uri</c> before feature level 257).</summary>
        public Uri? RealmUrl { get; internal set; }

        /// <summary>A realm URL the server announced that is not http(s), kept only to warn that it was ignored.</summary>
        internal string? IgnoredRealmUrl { get; set; }

        public string? RealmName { get; internal set; }

        /// <summary>The description as the server sends it (HTML).</summary>
        public string? RealmDescription { get; internal set; }

        public Uri? RealmIcon { get; internal set; }

        public string? ZulipVersion { get; internal set; }

        public string? ZulipMergeBase { get; internal set; }

        /// <summary>The API feature level; 0 for servers too old to send it.</summary>
        public int ZulipFeatureLevel { get; internal set; }

        /// <summary>Whether a password login (email or LDAP) is possible, i.e. whether Get-ZulipApiKey -Credential can work.</summary>
        public bool PasswordAuthEnabled { get; internal set; }

        public bool? EmailAuthEnabled { get; internal set; }

        /// <summary>False only for LDAP setups whose users log in with a login name rather than an email.</summary>
        public bool? RequireEmailFormatUsernames { get; internal set; }

        /// <summary>The names of the enabled methods in <c>authentication_methods</c> (e.g. password, github, saml).</summary>
        public string[] AuthenticationMethods { get; internal set; } = Array.Empty<string>();

        public ZulipExternalAuthenticationMethod[] ExternalAuthenticationMethods { get; internal set; } = Array.Empty<ZulipExternalAuthenticationMethod>();

        public bool? PushNotificationsEnabled { get; internal set; }

        public bool? IsIncompatible { get; internal set; }

        public bool? WebPublicAccessEnabled { get; internal set; }

        public override string ToString() => Client.DisplayText.Neutralize(RealmName != null ? $"{RealmName} ({RealmUrl ?? Server})" : (RealmUrl ?? Server).ToString());
    }
}
