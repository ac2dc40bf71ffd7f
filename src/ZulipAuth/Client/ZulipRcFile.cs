using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The zuliprc file every Zulip API client reads: an INI file read the way Python's configparser reads it
    /// (strict mode, BasicInterpolation), and written the way Zulip's web app writes the one it offers for download.
    /// </summary>
    internal static class ZulipRcFile
    {
        /// <summary>The keys of the [api] section that ZulipAuth reads and writes; every other key is someone else's.</summary>
        internal static readonly string[] OwnKeys = { "email", "key", "site", "insecure", "cert_bundle", "client_cert", "client_cert_key" };

        /// <summary>Longest key accepted from a file (real keys are 32 characters).</summary>
        internal const int MaximumKeyLength = 256;

        private const int MaximumInterpolationDepth = 10;
        private const int MaximumValueLength = PrivateFile.MaximumReadBytes;

        private static readonly Regex Scheme = new Regex(@"^([A-Za-z][A-Za-z0-9+.\-]*)://", RegexOptions.CultureInvariant);

        /// <summary>$HOME/.zuliprc, where the Python bindings look when nothing else is named.</summary>
        public static string DefaultPath => Path.Combine(Home, ".zuliprc");

        /// <summary>$HOME/zuliprc: the name the web app downloads and zulip-terminal's default; not read unless named.</summary>
        internal static string DownloadedPath => Path.Combine(Home, "zuliprc");

        private static string Home =>
            Environment.GetEnvironmentVariable("HOME") is string home && home.Length > 0 ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        /// <summary>The text of a zuliprc for one key.</summary>
        public static string Format(string email, string apiKey, Uri site, string? token = null)
        {
            var values = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("email", email),
                new KeyValuePair<string, string>("key", apiKey),
                new KeyValuePair<string, string>("site", SiteText(site)),
            };
            if (!string.IsNullOrEmpty(token))
            {
                // An outgoing-webhook bot's service token, after site, as the web app writes it.
                values.Add(new KeyValuePair<string, string>("token", token!));
            }

            return Update(null, values);
        }

        /// <summary>True when <paramref name="value"/> cannot be one line of a zuliprc.</summary>
        public static bool HasLineBreak(string value) => value.IndexOfAny(new[] { '\r', '\n' }) >= 0;

        /// <summary>The site as zuliprc files write it: no trailing slash.</summary>
        public static string SiteText(Uri site) => site.GetLeftPart(UriPartial.Authority);

        /// <summary>
        /// Parses zuliprc text into sections of lower-cased keys with their raw (not interpolated) values, DEFAULT's
        /// keys filled into every section. Throws <see cref="FormatException"/> with a line number (never the line's
        /// content, which may be a key) for everything configparser's strict mode also rejects. Linear in the text.
        /// </summary>
        public static Dictionary<string, Dictionary<string, string>> Parse(string text) => ZulipRcDocument.Parse(text).Sections;

        /// <summary>
        /// Decodes the bytes of a zuliprc as Python does (strict UTF-8), refusing what other Zulip clients cannot
        /// read. Throws <see cref="FormatException"/> saying why and how to fix it.
        /// </summary>
        internal static string Decode(byte[] bytes)
        {
            if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
            {
                throw new FormatException("it is UTF-16 text, which other Zulip clients cannot read; save it as UTF-8 without a byte order mark");
            }

            if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
            {
                throw new FormatException("it begins with a UTF-8 byte order mark, which makes Python's configparser (and so other Zulip clients) refuse it; save it as UTF-8 without a BOM");
            }

            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                throw new FormatException("it contains NUL bytes (UTF-16 text, or not a text file), which other Zulip clients cannot read; save it as UTF-8");
            }

            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                var line = 1 + bytes.Take(Math.Max(0, e.Index)).Count(b => b == (byte)'\n');
                throw new FormatException($"line {line}: the text is not valid UTF-8, which other Zulip clients cannot read; save the file as UTF-8", e);
            }
        }

        /// <summary>
        /// The [api] settings of a zuliprc as python-zulip-api reads them (values interpolated as BasicInterpolation
        /// does), checked with ZulipAuth's stricter rules. <paramref name="overrides"/> are the TLS settings the
        /// ZULIP_CERT* and ZULIP_ALLOW_INSECURE variables give, which win over the file's as in Python;
        /// <paramref name="resolvePath"/> turns a certificate path into a full path. Throws
        /// <see cref="FormatException"/> naming the line or the setting, never a value.
        /// </summary>
        internal static ZulipRcSettings Read(string text, Func<string, string> resolvePath, IReadOnlyDictionary<string, string>? overrides = null)
        {
            var document = ZulipRcDocument.Parse(text);
            if (!document.Sections.TryGetValue("api", out var api))
            {
                throw new FormatException("it has no [api] section, which every zuliprc has (section names are case-sensitive)");
            }

            return Build(
                name => overrides != null && overrides.TryGetValue(name, out var given) ? given : api.ContainsKey(name) ? Interpolate(document, api, name) : null,
                name => overrides != null && overrides.ContainsKey(name) ? $"{VariableOf(name)}: " : document.OptionLines.TryGetValue("api\n" + name, out var line) ? $"line {line}: " : string.Empty,
                resolvePath);
        }

        /// <summary>The settings the ZULIP_* variables give (all three account variables are set), checked as a file's are.</summary>
        internal static ZulipRcSettings FromValues(string email, string key, string site, Func<string, string> resolvePath, IReadOnlyDictionary<string, string>? overrides)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["email"] = email, ["key"] = key, ["site"] = site };
            foreach (var pair in overrides ?? new Dictionary<string, string>())
            {
                values[pair.Key] = pair.Value;
            }

            return Build(name => values.TryGetValue(name, out var v) ? v : null, name => $"{VariableOf(name)}: ", resolvePath);
        }

        /// <summary>The TLS variables the Python bindings read, by the [api] key each one stands for.</summary>
        internal static Dictionary<string, string> TlsVariables()
        {
            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in new[] { "insecure", "cert_bundle", "client_cert", "client_cert_key" })
            {
                if (Environment.GetEnvironmentVariable(VariableOf(name)) is string value)
                {
                    found[name] = value;
                }
            }

            return found;
        }

        private static string VariableOf(string name) => name switch
        {
            "email" => "ZULIP_EMAIL",
            "key" => "ZULIP_API_KEY",
            "site" => "ZULIP_SITE",
            "insecure" => "ZULIP_ALLOW_INSECURE",
            "cert_bundle" => "ZULIP_CERT_BUNDLE",
            "client_cert" => "ZULIP_CERT",
            "client_cert_key" => "ZULIP_CERT_KEY",
            _ => name,
        };

        private static ZulipRcSettings Build(Func<string, string?> get, Func<string, string> where, Func<string, string> resolvePath)
        {
            var key = get("key");
            var email = get("email");
            var site = get("site");
            var missing = new[] { ("email", email), ("key", key), ("site", site) }.Where(p => string.IsNullOrEmpty(p.Item2)).Select(p => p.Item1).ToArray();
            if (missing.Length > 0)
            {
                throw new FormatException($"the [api] section has no {string.Join(", ", missing)}");
            }

            if (key!.Length > MaximumKeyLength || key.Any(c => c < 0x21 || c > 0x7E))
            {
                throw new FormatException($"{where("key")}the key is not an API key (longer than {MaximumKeyLength} characters, or with spaces, line breaks or other characters that no key has)");
            }

            if (email!.Any(char.IsControl))
            {
                throw new FormatException($"{where("email")}the email contains a line break or another control character");
            }

            var settings = new ZulipRcSettings(email!, key, site!);
            var insecure = get("insecure");
            if (insecure != null)
            {
                settings.Insecure = ParseBoolean(insecure) ?? throw new FormatException($"{where("insecure")}insecure must be 'true' or 'false'");
            }

            settings.CertificateBundle = CertificatePath(where, "cert_bundle", get("cert_bundle"), resolvePath, check: settings.Insecure != true);
            settings.ClientCertificate = CertificatePath(where, "client_cert", get("client_cert"), resolvePath, check: true);
            settings.ClientCertificateKey = CertificatePath(where, "client_cert_key", get("client_cert_key"), resolvePath, check: true);
            if (settings.ClientCertificateKey != null && settings.ClientCertificate == null)
            {
                throw new FormatException($"{where("client_cert_key")}client_cert_key is set without client_cert; a client key needs its certificate");
            }

            return settings;
        }

        /// <summary>Python's rule for insecure and ZULIP_ALLOW_INSECURE: 'true' or 'false' in any case, nothing else.</summary>
        internal static bool? ParseBoolean(string value) =>
            string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? true : string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) ? false : null;

        /// <summary>
        /// <paramref name="existing"/> with <paramref name="values"/> set in its [api] section and nothing else
        /// changed: other sections, keys, comments, indentation and line endings stay. A missing [api] section is
        /// added at the end. '%' is written '%%', as configparser reads it. Throws <see cref="FormatException"/>
        /// when the existing text is not a zuliprc configparser reads, or when it cannot be updated safely.
        /// </summary>
        internal static string Update(string? existing, IReadOnlyList<KeyValuePair<string, string>> values)
        {
            var text = existing ?? string.Empty;
            var document = ZulipRcDocument.Parse(text);
            var newline = text.Contains("\r\n") ? "\r\n" : "\n";
            var lines = document.Lines;
            var output = new StringBuilder(text.Length + 256);
            string Setting(string indent, KeyValuePair<string, string> pair) => indent + pair.Key + "=" + pair.Value.Replace("%", "%%");

            var header = lines.FindIndex(l => l.Role == LineRole.Header && l.Section == "api");
            if (header < 0)
            {
                output.Append(text);
                if (text.Length > 0 && !text.EndsWith("\n", StringComparison.Ordinal) && !text.EndsWith("\r", StringComparison.Ordinal))
                {
                    output.Append(newline);
                }

                output.Append("[api]").Append(newline);
                foreach (var pair in values)
                {
                    output.Append(Setting(string.Empty, pair)).Append(newline);
                }
            }
            else
            {
                var remaining = new List<KeyValuePair<string, string>>(values);
                var lastOfSection = header;
                var indent = string.Empty;
                for (var i = header + 1; i < lines.Count && !(lines[i].Role == LineRole.Header); i++)
                {
                    if (lines[i].Role == LineRole.Option || lines[i].Role == LineRole.Continuation)
                    {
                        lastOfSection = i;
                    }

                    if (lines[i].Role == LineRole.Option)
                    {
                        indent = lines[i].Indent(text);
                    }
                }

                for (var i = 0; i < lines.Count; i++)
                {
                    var line = lines[i];
                    var ours = line.Section == "api" && line.Option != null && values.Any(p => p.Key == line.Option);
                    if (ours && line.Role == LineRole.Option)
                    {
                        var index = remaining.FindIndex(p => p.Key == line.Option);
                        output.Append(Setting(line.Indent(text), remaining[index])).Append(line.Ending.Length > 0 ? line.Ending : newline);
                        remaining.RemoveAt(index);
                    }
                    else if (!(ours && line.Role == LineRole.Continuation))
                    {
                        output.Append(text, line.Start, line.Length).Append(line.Ending);
                    }

                    if (i == lastOfSection && remaining.Count > 0)
                    {
                        if (output.Length > 0 && output[output.Length - 1] != '\n' && output[output.Length - 1] != '\r')
                        {
                            output.Append(newline);
                        }

                        foreach (var pair in remaining)
                        {
                            output.Append(Setting(indent, pair)).Append(newline);
                        }

                        remaining.Clear();
                    }
                }
            }

            var result = output.ToString();
            Verify(document, result, values);
            return result;
        }

        /// <summary>True when <paramref name="text"/> has an [api] section.</summary>
        internal static bool HasApiSection(string text) => ZulipRcDocument.Parse(text).Sections.ContainsKey("api");

        /// <summary>
        /// Normalises a zuliprc site as the Python bindings do (no scheme gets https://, but localhost gets http://, as
        /// the development server is http; trailing '/' dropped), refusing what is not a server's address: no host,
        /// another scheme, a query or a fragment. Throws <see cref="FormatException"/>.
        /// </summary>
        public static string NormalizeSite(string site)
        {
            var value = site.Trim();
            var scheme = Scheme.Match(value);
            if (scheme.Success)
            {
                var name = scheme.Groups[1].Value;
                if (!name.Equals("http", StringComparison.OrdinalIgnoreCase) && !name.Equals("https", StringComparison.OrdinalIgnoreCase))
                {
                    throw new FormatException($"the site uses the scheme '{name}'; Zulip is reached over https:// (or http:// for a local development server)");
                }
            }
            else
            {
                // Only "localhost" itself, with or without a port or path; python-zulip-api also sends
                // localhost.example.com over plain http, which would expose the key.
                var local = Regex.IsMatch(value, @"^localhost(?:[:/]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                value = (local ? "http://" : "https://") + value;
            }

            if (value.IndexOfAny(new[] { '?', '#' }) >= 0)
            {
                throw new FormatException("the site has a '?query' or a '#fragment'; give only the organization's URL, for example https://chat.example.com");
            }

            var authorityStart = value.IndexOf("://", StringComparison.Ordinal) + 3;
            var trimmed = value.TrimEnd('/');
            if (trimmed.Length <= authorityStart || trimmed[authorityStart] == '/')
            {
                throw new FormatException("the site has no host name; give the organization's URL, for example https://chat.example.com");
            }

            return trimmed;
        }

        /// <summary>The site Import-ZulipRc would read, for completion; null when there is none or it cannot be read. Never blocks.</summary>
        public static string? TryReadDefaultSite() => TryReadDefaultSite(p => Path.GetFullPath(p));

        internal static string? TryReadDefaultSite(Func<string, string> resolvePath)
        {
            try
            {
                var source = ZulipRcSource.Locate(resolvePath);
                if (source.EnvironmentSite != null)
                {
                    return NormalizeSite(source.EnvironmentSite);
                }

                var bytes = PrivateFile.ReadRegular(source.Path!, System.Threading.CancellationToken.None);
                return Parse(Decode(bytes)).TryGetValue("api", out var api) && api.TryGetValue("site", out var site) && site.Length > 0 && site.IndexOf('%') < 0
                    ? NormalizeSite(site)
                    : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException || e is ZulipApiException || e is ArgumentException || e is NotSupportedException)
            {
                return null;
            }
        }

        private static string? CertificatePath(Func<string, string> where, string name, string? value, Func<string, string> resolvePath, bool check)
        {
            if (value == null)
            {
                return null;
            }

            string full;
            try
            {
                full = resolvePath(value);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is ZulipApiException || e is PathTooLongException)
            {
                throw new FormatException($"{where(name)}{name} is not a usable path", e);
            }

            if (check && PrivateFile.KindOf(full) != FileKind.Regular)
            {
                throw new FormatException($"{where(name)}{name} names '{full}', which is not an existing file");
            }

            return full;
        }

        private static string Where(ZulipRcDocument document, string name) =>
            document.OptionLines.TryGetValue("api\n" + name, out var line) ? $"line {line}: " : string.Empty;

        /// <summary>configparser's BasicInterpolation: '%%' is '%', '%(name)s' is that setting (ten levels deep at most), any other '%' an error.</summary>
        private static string Interpolate(ZulipRcDocument document, Dictionary<string, string> section, string option)
        {
            var output = new StringBuilder();
            Expand(section[option], 1);
            return output.ToString();

            void Expand(string rest, int depth)
            {
                if (depth > MaximumInterpolationDepth)
                {
                    throw new FormatException($"{Where(document, option)}the value of {option} refers to settings more than {MaximumInterpolationDepth} levels deep (a loop?)");
                }

                var position = 0;
                while (position < rest.Length)
                {
                    var percent = rest.IndexOf('%', position);
                    if (percent < 0)
                    {
                        output.Append(rest, position, rest.Length - position);
                        break;
                    }

                    output.Append(rest, position, percent - position);
                    var next = percent + 1 < rest.Length ? rest[percent + 1] : '\0';
                    if (next == '%')
                    {
                        output.Append('%');
                        position = percent + 2;
                    }
                    else if (next == '(')
                    {
                        var close = rest.IndexOf(')', percent + 2);
                        if (close <= percent + 2 || close + 1 >= rest.Length || rest[close + 1] != 's')
                        {
                            throw new FormatException($"{Where(document, option)}the value of {option} has a '%(' that is not a '%(name)s' reference; write a literal '%' as '%%'");
                        }

                        var name = ZulipRcDocument.Lower(rest.Substring(percent + 2, close - percent - 2));
                        if (!section.TryGetValue(name, out var referenced))
                        {
                            throw new FormatException($"{Where(document, option)}the value of {option} refers to a setting that the [api] section does not have; write a literal '%' as '%%'");
                        }

                        if (referenced.IndexOf('%') >= 0)
                        {
                            Expand(referenced, depth + 1);
                        }
                        else
                        {
                            output.Append(referenced);
                        }

                        position = close + 2;
                    }
                    else
                    {
                        throw new FormatException($"{Where(document, option)}the value of {option} has a '%' that other Zulip clients read as the start of a reference; write a literal '%' as '%%'");
                    }

                    if (output.Length > MaximumValueLength)
                    {
                        throw new FormatException($"{Where(document, option)}the value of {option} grows beyond {MaximumValueLength / 1024} KiB through its '%(name)s' references");
                    }
                }
            }
        }

        /// <summary>Reads the updated text back: our values as given, everything else exactly as before.</summary>
        private static void Verify(ZulipRcDocument before, string text, IReadOnlyList<KeyValuePair<string, string>> values)
        {
            var after = ZulipRcDocument.Parse(text);
            var ours = new HashSet<string>(values.Select(v => v.Key));
            var api = after.Sections.TryGetValue("api", out var section) ? section : null;
            var same = api != null && values.All(v => section!.TryGetValue(v.Key, out var raw) && raw == v.Value.Replace("%", "%%"));
            foreach (var pair in before.Sections)
            {
                same &= after.Sections.TryGetValue(pair.Key, out var now)
                    && pair.Value.All(kv => (pair.Key == "api" && ours.Contains(kv.Key)) || (now.TryGetValue(kv.Key, out var v) && v == kv.Value));
            }

            if (!same)
            {
                throw new FormatException("its layout (indented lines around the [api] section) cannot be updated without changing other settings; edit it by hand or write another file");
            }
        }
    }
}
