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

            var builder = new StringBuilder(text.Length + newKey.Length);
            var inApi = false;
            var replaced = false;
            var start = 0;
            while (start < text.Length)
            {
                var end = text.IndexOf('\n', start);
                var lineEnd = end < 0 ? text.Length : end + 1;
                var line = text.Substring(start, lineEnd - start);
                var content = line.TrimEnd('\r', '\n');
                var trimmed = content.Trim();
                if (trimmed.StartsWith("[", StringComparison.Ordinal) && trimmed.IndexOf(']') > 0)
                {
                    inApi = trimmed.Substring(1, trimmed.IndexOf(']') - 1) == "api";
                }
                else if (inApi && !replaced && content.Length > 0 && !char.IsWhiteSpace(content[0]) && IsKeyLine(trimmed, out var delimiter))
                {
                    builder.Append(content.Substring(0, delimiter + 1)).Append(newKey).Append(line.Substring(content.Length));
                    replaced = true;
                    start = lineEnd;
                    continue;
                }

                builder.Append(line);
                start = lineEnd;
            }

            if (!replaced)
            {
                throw new FormatException("its [api] section has no key line at the start of a line");
            }

            return builder.ToString();
        }

        private static bool IsKeyLine(string trimmed, out int delimiter)
        {
            var equals = trimmed.IndexOf('=');
            var colon = trimmed.IndexOf(':');
            delimiter = equals < 0 ? colon : colon < 0 ? equals : Math.Min(equals, colon);
            return delimiter > 0 && string.Equals(trimmed.Substring(0, delimiter).Trim(), "key", StringComparison.OrdinalIgnoreCase);
        }
    }
}
