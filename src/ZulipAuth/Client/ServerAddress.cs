using System;
using System.Net;
using System.Text.RegularExpressions;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Turns what a person types or pastes as a server (a bare host, a URL copied from the browser, a URL
    /// ending in /api/v1) into the organization's root URL, or refuses it before anything is sent.
    /// </summary>
    internal static class ServerAddress
    {
        private static readonly Regex HasScheme = new Regex(@"^[A-Za-z][A-Za-z0-9+.\-]*://", RegexOptions.CultureInvariant);
        private static readonly Regex ApiSuffix = new Regex(@"/api(/v1)?/*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>Normalises <paramref name="input"/>; throws <see cref="ZulipApiException"/> (ZulipInvalidServer).</summary>
        public static Uri Normalize(string? input)
        {
            var text = (input ?? string.Empty).Trim();
            if (text.Length == 0)
            {
                throw Invalid("The server address is empty.");
            }

            // Uri drops bidi controls and IDN mapping drops invisible characters without a word, so what was typed
            // and the host that would be reached differ: refuse rather than guess. Ends were trimmed above.
            var hidden = FirstHiddenCharacter(text);
            if (hidden >= 0)
            {
                throw Invalid($"The server address contains the invisible or control character U+{(int)text[hidden]:X4} at position {hidden + 1}, which a pasted or crafted address can hide; type the address again.");
            }

            if (!HasScheme.IsMatch(text))
            {
                text = "https://" + text;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw Invalid("The server address could not be read as a URL.");
            }

            if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            {
                throw Invalid($"The server address uses the scheme '{uri.Scheme}'; Zulip servers are reached over https:// (or http:// for a local development server).");
            }

            // The user info may be "user:password"; never repeat it back.
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw Invalid("The server address contains a user name before '@'. Give the server alone (for example https://chat.example.com) and the user name in -Credential.");
            }

            // A zone id ("%eth0") says which interface to use, and a URL would lose it; never drop it silently.
            if (uri.HostNameType == UriHostNameType.IPv6 && uri.DnsSafeHost.IndexOf('%') >= 0)
            {
                throw Invalid($"The server address is an IPv6 address with a zone id ('%' after the address), which is not supported. Use the address without it, for example https://{uri.Host}, or a host name.");
            }

            var path = ApiSuffix.Replace(uri.AbsolutePath, string.Empty).TrimEnd('/');
            if (path.Length != 0)
            {
                throw Invalid($"The server address has the path '{path}'. Zulip is always served at the root of its host name; give only the scheme and host, for example https://{uri.Authority}.");
            }

            string host;
            try
            {
                host = uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : uri.Host;
            }
            catch (UriFormatException)
            {
                // The IDN mapping refuses some labels that the parser let through (for example one ending in '-').
                throw Invalid("The server address has a host name that is not a valid internationalized domain name. Check it for typing mistakes.");
            }

            var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new Uri(uri.Scheme + "://" + host.ToLowerInvariant() + port + "/", UriKind.Absolute);
        }

        /// <summary>
        /// True for the hosts a password may reach over plain http without opting in: the machine itself,
        /// where the Zulip development environment runs (http://localhost:9991).
        /// </summary>
        public static bool IsLoopback(Uri server)
        {
            if (string.Equals(server.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var host = server.Host.Trim('[', ']');
            return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
        }

        /// <summary>True when <paramref name="uri"/> carries no encryption to a host other than loopback.</summary>
        public static bool IsUnencryptedRemote(Uri uri) => uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri);

        /// <summary>The endpoint URL under the organization root.</summary>
        public static Uri Endpoint(Uri server, string relativePath) => new Uri(server, relativePath);

        /// <summary>True when both URLs name the same host (scheme and port may differ).</summary>
        public static bool SameHost(Uri a, Uri b) => string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The index of the first character that prints as nothing or moves text around (<see cref="DisplayText.IsUnsafe"/>),
        /// or that IDN mapping deletes from a host name (soft hyphen, combining grapheme joiner, Mongolian and
        /// variation selectors, tags); -1 when there is none.
        /// </summary>
        internal static int FirstHiddenCharacter(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (DisplayText.IsUnsafe(c) || c == '\u00AD' || c == '\u034F' || (c >= '\u180B' && c <= '\u180F') ||
                    (c >= '\uFE00' && c <= '\uFE0F') || c == '\u115F' || c == '\u1160' || c == '\u3164' || c == '\uFFA0')
                {
                    return i;
                }

                // U+E0000-U+E0FFF (tags and supplementary variation selectors) are the pair DB40 DC00-DB43 DFFF.
                if (c >= '\uDB40' && c <= '\uDB43')
                {
                    return i;
                }
            }

            return -1;
        }

        private static ZulipApiException Invalid(string message) =>
            new ZulipApiException(ZulipErrorId.InvalidServer, message + " Nothing was sent.");
    }
}
