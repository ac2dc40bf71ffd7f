using System.Collections.Generic;
using System;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Replaces the key in a zuliprc's [api] section and nothing else: every other line (other sections, other
    /// settings, comments, line ends) is kept byte for byte, since other tools keep their own settings there.
    /// </summary>
    internal static class ZulipRcKeyUpdate
    {
        /// <summary>The new text; throws <see cref="FormatException"/> (never naming a key) when the file is not this account's.</summary>
        public static string ReplaceKey(string text, string email, Uri site, string newKey)
        {
            var sections = ZulipRcFile.Parse(text);
            if (!sections.TryGetValue("api", out var api))
            {
                throw new FormatException("it has no [api] section");
            }

            if (!api.TryGetValue("email", out var fileEmail) || !string.Equals(fileEmail, email, StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"its [api] section is for another account than {email}");
            }

            if (!api.TryGetValue("site", out var fileSite) || !ServerAddress.SameHost(new Uri(ZulipRcFile.NormalizeSite(fileSite) + "/"), site))
            {
                throw new FormatException($"its [api] section is for another server than {ZulipRcFile.SiteText(site)}");
            }

            if (!api.ContainsKey("key"))
            {
                throw new FormatException("its [api] section has no key line");
            }

            // Only the key line of [api] changes; every other section, key, comment and line ending stays.
            return ZulipRcFile.Update(text, new[] { new KeyValuePair<string, string>("key", newKey) });
        }
    }
}
