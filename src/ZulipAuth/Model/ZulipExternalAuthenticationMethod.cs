using System;

namespace ZulipAuth
{
    /// <summary>A login method that runs in a browser (GitHub, Google, SAML, ...): such users get their key from the web app.</summary>
    public sealed class ZulipExternalAuthenticationMethod
    {
        public string Name { get; internal set; } = string.Empty;

        public string? DisplayName { get; internal set; }

        public Uri? DisplayIcon { get; internal set; }

        public Uri? LoginUrl { get; internal set; }

        public Uri? SignupUrl { get; internal set; }

        public override string ToString() => Client.DisplayText.Neutralize(DisplayName ?? Name);
    }
}
