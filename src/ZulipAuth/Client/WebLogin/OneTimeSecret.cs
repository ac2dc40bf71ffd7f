using System.Security.Cryptography;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// The 32 random bytes both web flows start from: the mobile flow's OTP (the key comes back XORed with it) and
    /// the desktop flow's AES-256 key. Zulip accepts exactly 64 hex digits for either.
    /// </summary>
    internal static class OneTimeSecret
    {
        public const int Bytes = 32;

        public const int HexLength = 2 * Bytes;

        public static byte[] NewBytes()
        {
            var bytes = new byte[Bytes];
            using (var random = RandomNumberGenerator.Create())
            {
                random.GetBytes(bytes);
            }

            return bytes;
        }
    }
}
