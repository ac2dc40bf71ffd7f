using System;
using System.Collections.Generic;

namespace ZulipAuth.Client
{
    /// <summary>
    /// A zuliprc parsed the way Python's configparser (strict mode, default options) parses it, line by line, in
    /// linear time: what each line is, the raw values and where each setting starts. Kept apart from the reading
    /// rules so that a writer can change single lines and leave the rest byte for byte.
    /// </summary>
    internal sealed class ZulipRcDocument
    {
        private ZulipRcDocument(Dictionary<string, Dictionary<string, string>> sections, Dictionary<string, int> optionLines, List<ZulipRcLine> lines)
        {
            Sections = sections;
            OptionLines = optionLines;
            Lines = lines;
        }

        /// <summary>Section name (case-sensitive) to lower-cased key to raw value; DEFAULT's keys filled into every section.</summary>
        public Dictionary<string, Dictionary<string, string>> Sections { get; }

        /// <summary>"section\nkey" to the 1-based line the setting starts on.</summary>
        public Dictionary<string, int> OptionLines { get; }

        public List<ZulipRcLine> Lines { get; }

        /// <summary>configparser's optionxform.</summary>
        public static string Lower(string name) => name.ToLowerInvariant();

        /// <summary>Python's str.isspace, which str.strip() and the regular expressions' \s use (not .NET's char.IsWhiteSpace: 0x1C–0x1F differ).</summary>
        public static bool IsSpace(char c) =>
            (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= ' ') || c == '\x85' || c == '\xa0' || c == '\u1680'
            || (c >= '\u2000' && c <= '\u200a') || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000';

        public static ZulipRcDocument Parse(string text)
        {
            var raw = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
            Dictionary<string, List<string>>? defaults = null;
            var added = new HashSet<string>(StringComparer.Ordinal);
            var optionLines = new Dictionary<string, int>(StringComparer.Ordinal);
            var lines = new List<ZulipRcLine>();
            Dictionary<string, List<string>>? current = null;
            string? section = null;
            string? option = null;
            var indentLevel = 0;
            var number = 0;
            var position = 0;
            while (position < text.Length)
            {
                number++;
                var start = position;
                var end = start;
                while (end < text.Length && text[end] != '\n' && text[end] != '\r')
                {
                    end++;
                }

                var endingLength = end >= text.Length ? 0 : text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1;
                position = end + endingLength;
                var line = new ZulipRcLine(start, end - start, text.Substring(end, endingLength), section);
                lines.Add(line);

                var first = start;
                while (first < end && IsSpace(text[first]))
                {
                    first++;
                }

                var last = end;
                while (last > first && IsSpace(text[last - 1]))
                {
                    last--;
                }

                if (first == last || text[first] == '#' || text[first] == ';')
                {
                    line.Role = first == last ? LineRole.Blank : LineRole.Comment;
                    if (first == last && current != null && !string.IsNullOrEmpty(option))
                    {
                        // A blank line inside a value is kept as an empty line of it (trailing ones are dropped at the end).
                        current[option!].Add(string.Empty);
                    }

                    continue;
                }

                var indent = first - start;
                var value = text.Substring(first, last - first);
                if (current != null && !string.IsNullOrEmpty(option) && indent > indentLevel)
                {
                    current[option!].Add(value);
                    line.Role = LineRole.Continuation;
                    line.Option = option;
                    continue;
                }

                indentLevel = indent;
                var close = value[0] == '[' ? value.LastIndexOf(']') : -1;
                if (close >= 2)
                {
                    section = value.Substring(1, close - 1);
                    if (section == "DEFAULT")
                    {
                        current = defaults ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
                    }
                    else if (raw.ContainsKey(section))
                    {
                        throw new FormatException($"line {number}: the section [{Shown(section)}] appears twice");
                    }
                    else
                    {
                        current = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                        raw[section] = current;
                    }

                    option = null;
                    line.Role = LineRole.Header;
                    line.Section = section;
                    continue;
                }

                if (current == null)
                {
                    throw new FormatException($"line {number}: a setting comes before any [section] header");
                }

                var delimiter = value.IndexOfAny(new[] { '=', ':' });
                if (delimiter < 0)
                {
                    throw new FormatException($"line {number}: expected 'name = value'");
                }

                var nameEnd = delimiter;
                while (nameEnd > 0 && IsSpace(value[nameEnd - 1]))
                {
                    nameEnd--;
                }

                if (nameEnd == 0)
                {
                    throw new FormatException($"line {number}: a setting has no name before its '{value[delimiter]}'");
                }

                option = Lower(value.Substring(0, nameEnd));
                var id = section + "\n" + option;
                if (!added.Add(id))
                {
                    throw new FormatException($"line {number}: the setting '{Shown(option)}' appears twice in its section");
                }

                var valueStart = delimiter + 1;
                while (valueStart < value.Length && IsSpace(value[valueStart]))
                {
                    valueStart++;
                }

                current[option] = new List<string> { value.Substring(valueStart) };
                optionLines[id] = number;
                line.Role = LineRole.Option;
                line.Option = option;
            }

            var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var pair in raw)
            {
                sections[pair.Key] = Join(pair.Value);
            }

            if (defaults != null)
            {
                var joined = Join(defaults);
                foreach (var values in sections.Values)
                {
                    foreach (var pair in joined)
                    {
                        if (!values.ContainsKey(pair.Key))
                        {
                            values[pair.Key] = pair.Value;
                        }
                    }
                }

                sections["DEFAULT"] = joined;
            }

            return new ZulipRcDocument(sections, optionLines, lines);
        }

        private static Dictionary<string, string> Join(Dictionary<string, List<string>> options)
        {
            var joined = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in options)
            {
                var value = string.Join("\n", pair.Value);
                var end = value.Length;
                while (end > 0 && IsSpace(value[end - 1]))
                {
                    end--;
                }

                joined[pair.Key] = value.Substring(0, end);
            }

            return joined;
        }

        /// <summary>A name for a message: short, and with control characters replaced.</summary>
        private static string Shown(string name)
        {
            var shown = name.Length > 40 ? name.Substring(0, 40) + "…" : name;
            var chars = shown.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (char.IsControl(chars[i]) || char.GetUnicodeCategory(chars[i]) == System.Globalization.UnicodeCategory.Format)
                {
                    chars[i] = '\uFFFD';
                }
            }

            return new string(chars);
        }
    }
}
