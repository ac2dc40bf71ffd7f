using System;
using System.Globalization;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// The <c>zulip://login?otp_encrypted_api_key=…&amp;email=…&amp;user_id=…&amp;realm=…</c> redirect that ends the
    /// mobile web login, checked before anything in it is trusted: it must be for the organization the user named
    /// (same origin as its realm URL), carry a 64-hex encrypted key and an email. user_id is optional (before
    /// feature level 108).
    /// </summary>
    internal sealed class LoginRedirect
    {
        /// <summary>Far beyond Zulip's few hundred characters; anything longer is not Zulip's redirect.</summary>
        public const int MaxLength = 8 * 1024;

        private LoginRedirect(string encryptedApiKey, string email, int? userId, Uri realm)
        {
            EncryptedApiKey = encryptedApiKey;
            Email = email;
            UserId = userId;
            Realm = realm;
        }

        public string EncryptedApiKey { get; }

        public string Email { get; }

        public int? UserId { get; }

        public Uri Realm { get; }

        /// <summary>The checked redirect, or null with <paramref name="problem"/> saying what is wrong (never quoting the key).</summary>
        public static LoginRedirect? Parse(string url, Uri expectedRealm, out string problem)
        {
            // Zulip writes zulip://login?…; URL parsers on the way (.NET's Uri, some shells) normalise it to login/?….
            var prefix = url.StartsWith("zulip://login/?", StringComparison.OrdinalIgnoreCase) ? "zulip://login/?" : "zulip://login?";
            if (url.Length > MaxLength || !url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                problem = "it is not a zulip://login?… redirect";
                return null;
            }

            var query = QueryString.Parse(url.Substring(prefix.Length));
            query.TryGetValue("realm", out var realmText);
            if (string.IsNullOrEmpty(realmText) || !Uri.TryCreate(realmText, UriKind.Absolute, out var realm) ||
                (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
            {
                problem = "it names no realm URL";
                return null;
            }

            if (!SameOrigin(realm, expectedRealm))
            {
                problem = $"it is for the organization {realm.GetLeftPart(UriPartial.Authority)}, not {expectedRealm.GetLeftPart(UriPartial.Authority)}";
                return null;
            }

            query.TryGetValue("otp_encrypted_api_key", out var key);
            if (!Hex.IsHex(key, MobileFlowKey.EncryptedHexLength))
            {
                problem = "its otp_encrypted_api_key is not 64 hex digits";
                return null;
            }

            query.TryGetValue("email", out var email);
            if (string.IsNullOrEmpty(email))
            {
                problem = "it has no email";
                return null;
            }

            int? userId = null;
            if (query.TryGetValue("user_id", out var idText))
            {
                if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
                {
                    problem = "its user_id is not a positive number";
                    return null;
                }

                userId = id;
            }

            problem = string.Empty;
            return new LoginRedirect(key!, email!, userId, realm);
        }

        /// <summary>Scheme, host (case-insensitive) and port, as a browser compares origins.</summary>
        public static bool SameOrigin(Uri a, Uri b) =>
            string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) &&
            a.Port == b.Port;
    }
}
