using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Makes text from a server, a file or a user safe to print: a console or a log takes CR LF as a new record
    /// and ESC as a terminal command, and bidi overrides or invisible characters make text read as something it
    /// is not. Each such character becomes U+FFFD, so the text keeps its length and shows that something was
    /// there. Only for what is written to a stream, put in an exception message or returned by ToString();
    /// data properties keep the exact value.
    /// </summary>
    internal static class DisplayText
    {
        public const char Replacement = '\uFFFD';

        /// <summary>
        /// C0 controls (CR, LF and TAB included), DEL, C1 controls, the line and paragraph separators (which some
        /// log viewers break lines on), and the bidi and invisible format characters.
        /// </summary>
        public static bool IsUnsafe(char c)
        {
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            {
                return true;
            }

            if (c < 0x061C)
            {
                return false;
            }

            return c == '\u061C' || (c >= '\u200B' && c <= '\u200F') || c == '\u2028' || c == '\u2029' ||
                (c >= '\u202A' && c <= '\u202E') || (c >= '\u2060' && c <= '\u2069') || c == '\uFEFF';
        }

        /// <summary>The text with every unsafe character replaced; the same instance when there is none (the usual case).</summary>
        public static string Neutralize(string text)
        {
            var i = 0;
            while (i < text.Length && !IsUnsafe(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return text;
            }

            var clean = new StringBuilder(text.Length);
            clean.Append(text, 0, i);
            for (; i < text.Length; i++)
            {
                clean.Append(IsUnsafe(text[i]) ? Replacement : text[i]);
            }

            return clean.ToString();
        }

        /// <summary>Null stays null, so optional values can be passed straight through.</summary>
        public static string? NeutralizeOrNull(string? text) => text == null ? null : Neutralize(text);

        public static bool HasUnsafe(string text)
        {
            foreach (var c in text)
            {
                if (IsUnsafe(c))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
