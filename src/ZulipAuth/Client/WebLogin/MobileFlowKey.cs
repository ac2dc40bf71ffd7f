using System;
using System.Security;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// Zulip's <c>otp_encrypt_api_key</c> undone: the key's ASCII codes in hex, XORed digit by digit with the OTP.
    /// XOR per hex digit equals XOR per byte, so decoding is a byte-wise XOR of the two hex strings.
    /// </summary>
    internal static class MobileFlowKey
    {
        /// <summary>An API key is 32 characters of [A-Za-z0-9]; its hex is as long as the OTP.</summary>
        public const int EncryptedHexLength = OneTimeSecret.HexLength;

        /// <summary>
        /// The API key from <c>otp_encrypted_api_key</c>, or null when the result is not a Zulip key (wrong OTP,
        /// tampered value). The plain characters never become a managed string.
        /// </summary>
        public static SecureString? Decrypt(string encryptedHex, byte[] otp)
        {
            if (!Hex.IsHex(encryptedHex, EncryptedHexLength) || otp.Length != OneTimeSecret.Bytes)
            {
                return null;
            }

            var chars = new char[OneTimeSecret.Bytes];
            try
            {
                for (var i = 0; i < chars.Length; i++)
                {
                    var b = ((Hex.Value(encryptedHex[2 * i]) << 4) | Hex.Value(encryptedHex[(2 * i) + 1])) ^ otp[i];
                    if (!IsKeyCharacter(b))
                    {
                        return null;
                    }

                    chars[i] = (char)b;
                }

                return ToSecureString(chars);
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
            }
        }

        /// <summary>Zulip's side, for tests and the local test server: hex(ascii(key)) XOR otp.</summary>
        public static string Encrypt(string apiKey, byte[] otp)
        {
            var bytes = new byte[apiKey.Length];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(apiKey[i] ^ otp[i]);
            }

            return Hex.Encode(bytes);
        }

        private static bool IsKeyCharacter(int c) => (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

        private static unsafe SecureString ToSecureString(char[] chars)
        {
            fixed (char* p = chars)
            {
                var secure = new SecureString(p, chars.Length);
                secure.MakeReadOnly();
                return secure;
            }
        }
    }
}
