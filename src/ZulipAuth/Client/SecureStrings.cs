using System.Security;

namespace ZulipAuth.Client
{
    internal static class SecureStrings
    {
        /// <summary>
        /// A read-only SecureString holding <paramref name="value"/>, copied in one step: AppendChar per character
        /// costs about twenty times as much (a lock and a capacity check per character, a reallocation every few),
        /// which every fetched key paid.
        /// </summary>
        public static unsafe SecureString ReadOnlyCopy(string value)
        {
            fixed (char* chars = value)
            {
                var secure = new SecureString(chars, value.Length);
                secure.MakeReadOnly();
                return secure;
            }
        }
    }
}
