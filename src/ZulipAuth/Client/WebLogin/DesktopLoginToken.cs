using System;
using System.Text;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// The token Zulip's desktop_redirect page shows: hex(iv[12] + AES-256-GCM(otp, iv, token, aad="") + tag[16]),
    /// 120 hex digits, wrapping a 32-character login token for /accounts/login/subdomain/&lt;token&gt;.
    /// </summary>
    internal static class DesktopLoginToken
    {
        public const int LoginTokenLength = 32;

        public const int EncryptedHexLength = 2 * (AesGcmDecryptor.NonceBytes + LoginTokenLength + AesGcmDecryptor.TagBytes);

        public enum Failure
        {
            None,

            /// <summary>Not 120 hex digits (a partial copy, another page's text).</summary>
            Malformed,

            /// <summary>The GCM tag does not match: a token from another login attempt, or altered.</summary>
            WrongKey,

            /// <summary>Decrypted, but not a Zulip login token.</summary>
            NotALoginToken,
        }

        /// <summary>The login token, or null with the reason.</summary>
        public static string? Decrypt(string pasted, byte[] key, out Failure failure)
        {
            var text = pasted.Trim();
            if (!Hex.IsHex(text, EncryptedHexLength))
            {
                failure = Failure.Malformed;
                return null;
            }

            var data = Hex.TryDecode(text)!;
            var nonce = new byte[AesGcmDecryptor.NonceBytes];
            var ciphertext = new byte[data.Length - AesGcmDecryptor.NonceBytes - AesGcmDecryptor.TagBytes];
            var tag = new byte[AesGcmDecryptor.TagBytes];
            Buffer.BlockCopy(data, 0, nonce, 0, nonce.Length);
            Buffer.BlockCopy(data, nonce.Length, ciphertext, 0, ciphertext.Length);
            Buffer.BlockCopy(data, nonce.Length + ciphertext.Length, tag, 0, tag.Length);

            var plain = AesGcmDecryptor.Decrypt(key, nonce, ciphertext, tag);
            if (plain == null)
            {
                failure = Failure.WrongKey;
                return null;
            }

            try
            {
                foreach (var b in plain)
                {
                    if (!((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')))
                    {
                        failure = Failure.NotALoginToken;
                        return null;
                    }
                }

                failure = Failure.None;
                return Encoding.ASCII.GetString(plain);
            }
            finally
            {
                Array.Clear(plain, 0, plain.Length);
            }
        }
    }
}
