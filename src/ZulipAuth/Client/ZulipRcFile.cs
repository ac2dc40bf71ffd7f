using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The zuliprc file every Zulip API client reads: an INI file read the way Python's configparser reads it
    /// (sections, '=' or ':', '#' and ';' comment lines, case-insensitive keys, indented continuation lines,
    /// a DEFAULT section), and written the way Zulip's web app writes the one it offers for download.
    /// </summary>
    public static class ZulipRcFile
    {
        /// <summary>$HOME/.zuliprc, where the Python bindings look when nothing else is named.</summary>
        public static string DefaultPath =>
            Path.Combine(Environment.GetEnvironmentVariable("HOME") is string home && home.Length > 0 ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".zuliprc");

        /// <summary>The text of a zuliprc for one key.</summary>
        public static string Format(string email, string apiKey, Uri site, string? token = null)
        {
            var builder = new StringBuilder();
            builder.Append("[api]\n");
            builder.Append("email=").Append(email).Append('\n');
            builder.Append("key=").Append(apiKey).Append('\n');
            builder.Append("site=").Append(SiteText(site)).Append('\n');
            if (!string.IsNullOrEmpty(token))
            {
                // An outgoing-webhook bot's service token, after site, as the web app writes it.
                builder.Append("token=").Append(token).Append('\n');
            }

            return builder.ToString();
        }

        /// <summary>True when <paramref name="value"/> cannot be one line of a zuliprc.</summary>
        public static bool HasLineBreak(string value) => value.IndexOfAny(new[] { '\r', '\n' }) >= 0;

        /// <summary>The site as zuliprc files write it: no trailing slash.</summary>
        public static string SiteText(Uri site) => site.GetLeftPart(UriPartial.Authority);

        /// <summary>
        /// Parses zuliprc text into sections of lower-cased keys. Throws <see cref="FormatException"/> with a
        /// line number (never the line's content, which may be a key) for what configparser also rejects.
        /// </summary>
        public static Dictionary<string, Dictionary<string, string>> Parse(string text)
        {
            var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            Dictionary<string, string>? current = null;
            string? lastKey = null;
            var lastKeyIndent = 0;
            var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            for (var number = 1; number <= lines.Length; number++)
            {
                var raw = lines[number - 1];
                if (number == 1 && raw.Length > 0 && raw[0] == '\uFEFF')
                {
                    raw = raw.Substring(1);
                }

                var trimmed = raw.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == ';')
                {
                    lastKey = trimmed.Length == 0 ? null : lastKey;
                    continue;
                }

                // As configparser: a continuation is indented deeper than its key's line (keys may all be indented alike).
                var indent = raw.Length - raw.TrimStart().Length;
                if (indent > lastKeyIndent && current != null && lastKey != null)
                {
                    current[lastKey] = current[lastKey] + "\n" + trimmed;
                    continue;
                }

                if (trimmed[0] == '[')
                {
                    var end = trimmed.IndexOf(']');
                    if (end < 0)
                    {
                        throw new FormatException($"line {number}: a section header has no closing ']'");
                    }

                    var name = trimmed.Substring(1, end - 1);
                    if (sections.ContainsKey(name))
                    {
                        throw new FormatException($"line {number}: the section [{name}] appears twice");
                    }

                    current = new Dictionary<string, string>(StringComparer.Ordinal);
                    sections[name] = current;
                    lastKey = null;
                    continue;
                }

                if (current == null)
                {
                    throw new FormatException($"line {number}: a setting comes before any [section] header");
                }

                var delimiter = IndexOfDelimiter(trimmed);
                if (delimiter <= 0)
                {
                    throw new FormatException($"line {number}: expected 'name = value'");
                }

                var key = trimmed.Substring(0, delimiter).Trim().ToLowerInvariant();
                if (current.ContainsKey(key))
                {
                    throw new FormatException($"line {number}: the setting '{key}' appears twice in its section");
                }

                current[key] = trimmed.Substring(delimiter + 1).Trim();
                lastKey = key;
                lastKeyIndent = indent;
            }

            if (sections.TryGetValue("DEFAULT", out var defaults))
            {
                foreach (var section in sections.Values)
                {
                    foreach (var pair in defaults)
                    {
                        if (!section.ContainsKey(pair.Key))
                        {
                            section[pair.Key] = pair.Value;
                        }
                    }
                }
            }

            return sections;
        }

        /// <summary>
        /// Normalises a zuliprc site as the Python bindings do: no scheme gets https:// (but localhost gets
        /// http://, as the development server is http), and a trailing '/' is dropped.
        /// </summary>
        public static string NormalizeSite(string site)
        {
            var value = site.Trim();
            if (!value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                value = (value.StartsWith("localhost", StringComparison.OrdinalIgnoreCase) ? "http://" : "https://") + value;
            }

            return value.TrimEnd('/');
        }

        /// <summary>The site of the default zuliprc, for completion; null when there is none or it cannot be read.</summary>
        public static string? TryReadDefaultSite()
        {
            try
            {
                var path = Environment.GetEnvironmentVariable("ZULIP_CONFIG");
                path = string.IsNullOrEmpty(path) ? DefaultPath : path;
                if (!File.Exists(path))
                {
                    return null;
                }

                return Parse(File.ReadAllText(path!)).TryGetValue("api", out var api) && api.TryGetValue("site", out var site) && site.Length > 0
                    ? NormalizeSite(site)
                    : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException)
            {
                return null;
            }
        }

        private static int IndexOfDelimiter(string line)
        {
            var equals = line.IndexOf('=');
            var colon = line.IndexOf(':');
            if (equals < 0)
            {
                return colon;
            }

            return colon < 0 ? equals : Math.Min(equals, colon);
        }
    }
}
