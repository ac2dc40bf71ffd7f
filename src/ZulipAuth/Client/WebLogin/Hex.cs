using System;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>Lowercase hex as Python's bytes.hex() writes it, and strict parsing of what Zulip sends.</summary>
    internal static class Hex
    {
        public static string Encode(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = Digit(bytes[i] >> 4);
                chars[(2 * i) + 1] = Digit(bytes[i] & 0xF);
            }

            return new string(chars);
        }

        /// <summary>True when <paramref name="text"/> is exactly <paramref name="length"/> hex digits (either case), as Zulip's is_valid_otp.</summary>
        public static bool IsHex(string? text, int length)
        {
            if (text == null || text.Length != length)
            {
                return false;
            }

            foreach (var c in text)
            {
                if (Value(c) < 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The bytes of an even-length hex string; null when it is not one.</summary>
        public static byte[]? TryDecode(string text)
        {
            if (text.Length % 2 != 0)
            {
                return null;
            }

            var bytes = new byte[text.Length / 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                var high = Value(text[2 * i]);
                var low = Value(text[(2 * i) + 1]);
                if (high < 0 || low < 0)
                {
                    Array.Clear(bytes, 0, bytes.Length);
                    return null;
                }

                bytes[i] = (byte)((high << 4) | low);
            }

            return bytes;
        }

        internal static int Value(char c) =>
            c >= '0' && c <= '9' ? c - '0' :
            c >= 'a' && c <= 'f' ? c - 'a' + 10 :
            c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

        private static char Digit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
    }
}
