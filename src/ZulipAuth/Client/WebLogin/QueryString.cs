using System;
using System.Collections.Generic;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>application/x-www-form-urlencoded pairs as Python's urlencode writes them; the first value of a name wins.</summary>
    internal static class QueryString
    {
        public static Dictionary<string, string> Parse(string query)
        {
            var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var piece in query.TrimStart('?').Split('&'))
            {
                if (piece.Length == 0)
                {
                    continue;
                }

                var equals = piece.IndexOf('=');
                var name = Unescape(equals < 0 ? piece : piece.Substring(0, equals));
                var value = equals < 0 ? string.Empty : Unescape(piece.Substring(equals + 1));
                if (!pairs.ContainsKey(name))
                {
                    pairs[name] = value;
                }
            }

            return pairs;
        }

        private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}
