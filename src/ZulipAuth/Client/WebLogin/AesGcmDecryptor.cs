using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// AES-256-GCM decryption without a third-party library. The module is built for net472, which has no AES-GCM
    /// type: on PowerShell 7 (.NET) the runtime's own <c>System.Security.Cryptography.AesGcm</c> is reached by
    /// reflection; on Windows PowerShell 5.1 (.NET Framework) Windows' CNG (bcrypt.dll) does the work.
    /// </summary>
    internal static class AesGcmDecryptor
    {
        public const int NonceBytes = 12;

        public const int TagBytes = 16;

        private static readonly Lazy<Type?> RuntimeAesGcm = new Lazy<Type?>(FindRuntimeAesGcm);

        /// <summary>Which implementation this process uses (for verbose output and tests).</summary>
        public static string Implementation => RuntimeAesGcm.Value != null ? "System.Security.Cryptography.AesGcm" : "Windows CNG (bcrypt.dll)";

        /// <summary>The plaintext, or null when the tag does not match (wrong key, tampered data).</summary>
        public static byte[]? Decrypt(byte[] key, byte[] nonce, byte[] ciphertext, byte[] tag)
        {
            if (RuntimeAesGcm.Value != null)
            {
                return DecryptWithRuntime(RuntimeAesGcm.Value, key, nonce, ciphertext, tag);
            }

            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                return BCrypt.Decrypt(key, nonce, ciphertext, tag);
            }

            throw new PlatformNotSupportedException("AES-GCM is not available in this runtime.");
        }

        internal static byte[]? DecryptWithRuntime(Type aesGcm, byte[] key, byte[] nonce, byte[] ciphertext, byte[] tag)
        {
            // .NET 8 marks the key-only constructor obsolete in favour of (key, tagSizeInBytes); older .NET has only the first.
            var withTagSize = aesGcm.GetConstructor(new[] { typeof(byte[]), typeof(int) });
            var instance = withTagSize != null
                ? withTagSize.Invoke(new object[] { key, TagBytes })
                : aesGcm.GetConstructor(new[] { typeof(byte[]) })!.Invoke(new object[] { key });
            try
            {
                var decrypt = aesGcm.GetMethod("Decrypt", new[] { typeof(byte[]), typeof(byte[]), typeof(byte[]), typeof(byte[]), typeof(byte[]) })
                    ?? throw new PlatformNotSupportedException("AesGcm.Decrypt(byte[]...) was not found.");
                var plaintext = new byte[ciphertext.Length];
                try
                {
                    decrypt.Invoke(instance, new object?[] { nonce, ciphertext, tag, plaintext, null });
                    return plaintext;
                }
                catch (TargetInvocationException e) when (e.InnerException is CryptographicException)
                {
                    // AuthenticationTagMismatchException (.NET 8+) derives from CryptographicException.
                    return null;
                }
            }
            finally
            {
                (instance as IDisposable)?.Dispose();
            }
        }

        internal static Type? FindRuntimeAesGcm()
        {
            // .NET 7+ keeps it in System.Security.Cryptography; .NET Core 3.0-6 in System.Security.Cryptography.Algorithms.
            foreach (var assembly in new[] { "System.Security.Cryptography", "System.Security.Cryptography.Algorithms" })
            {
                Type? type;
                try
                {
                    type = Type.GetType("System.Security.Cryptography.AesGcm, " + assembly, throwOnError: false);
                }
                catch (Exception e) when (e is System.IO.FileLoadException || e is BadImageFormatException)
                {
                    type = null;
                }

                if (type != null && (bool?)type.GetProperty("IsSupported", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) != false)
                {
                    return type;
                }
            }

            return null;
        }

        /// <summary>Windows CNG's AES in GCM chaining mode. Reviewed against the bcrypt.h declarations; it cannot run on Linux.</summary>
        internal static class BCrypt
        {
            private const uint StatusAuthTagMismatch = 0xC000A002;

            public static byte[]? Decrypt(byte[] key, byte[] nonce, byte[] ciphertext, byte[] tag)
            {
                var algorithm = IntPtr.Zero;
                var keyHandle = IntPtr.Zero;
                var pins = new[] { GCHandle.Alloc(nonce, GCHandleType.Pinned), GCHandle.Alloc(tag, GCHandleType.Pinned) };
                try
                {
                    Check(BCryptOpenAlgorithmProvider(out algorithm, "AES", null, 0), "BCryptOpenAlgorithmProvider");
                    var mode = System.Text.Encoding.Unicode.GetBytes("ChainingModeGCM\0");
                    Check(BCryptSetProperty(algorithm, "ChainingMode", mode, mode.Length, 0), "BCryptSetProperty");
                    Check(BCryptGenerateSymmetricKey(algorithm, out keyHandle, IntPtr.Zero, 0, key, key.Length, 0), "BCryptGenerateSymmetricKey");

                    var info = new AuthenticatedCipherModeInfo
                    {
                        CbSize = Marshal.SizeOf(typeof(AuthenticatedCipherModeInfo)),
                        DwInfoVersion = 1,
                        PbNonce = pins[0].AddrOfPinnedObject(),
                        CbNonce = nonce.Length,
                        PbTag = pins[1].AddrOfPinnedObject(),
                        CbTag = tag.Length,
                    };
                    var plaintext = new byte[ciphertext.Length];
                    var status = BCryptDecrypt(keyHandle, ciphertext, ciphertext.Length, ref info, null, 0, plaintext, plaintext.Length, out _, 0);
                    if (unchecked((uint)status) == StatusAuthTagMismatch)
                    {
                        return null;
                    }

                    Check(status, "BCryptDecrypt");
                    return plaintext;
                }
                finally
                {
                    foreach (var pin in pins)
                    {
                        pin.Free();
                    }

                    if (keyHandle != IntPtr.Zero)
                    {
                        BCryptDestroyKey(keyHandle);
                    }

                    if (algorithm != IntPtr.Zero)
                    {
                        BCryptCloseAlgorithmProvider(algorithm, 0);
                    }
                }
            }

            private static void Check(int status, string call)
            {
                if (status != 0)
                {
                    throw new CryptographicException($"{call} failed with NTSTATUS 0x{status:X8}.");
                }
            }

            // BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO (bcrypt.h); the ULONGLONG cbData is the one 8-byte field.
            [StructLayout(LayoutKind.Sequential)]
            private struct AuthenticatedCipherModeInfo
            {
                public int CbSize;
                public int DwInfoVersion;
                public IntPtr PbNonce;
                public int CbNonce;
                public IntPtr PbAuthData;
                public int CbAuthData;
                public IntPtr PbTag;
                public int CbTag;
                public IntPtr PbMacContext;
                public int CbMacContext;
                public int CbAAD;
                public long CbData;
                public int DwFlags;
            }

            [DllImport("bcrypt.dll", CharSet = CharSet.Unicode)]
            private static extern int BCryptOpenAlgorithmProvider(out IntPtr algorithm, string algId, string? implementation, int flags);

            [DllImport("bcrypt.dll", CharSet = CharSet.Unicode)]
            private static extern int BCryptSetProperty(IntPtr handle, string property, byte[] input, int inputSize, int flags);

            [DllImport("bcrypt.dll")]
            private static extern int BCryptGenerateSymmetricKey(IntPtr algorithm, out IntPtr key, IntPtr keyObject, int keyObjectSize, byte[] secret, int secretSize, int flags);

            [DllImport("bcrypt.dll")]
            private static extern int BCryptDecrypt(IntPtr key, byte[] input, int inputSize, ref AuthenticatedCipherModeInfo paddingInfo, byte[]? iv, int ivSize, byte[] output, int outputSize, out int written, int flags);

            [DllImport("bcrypt.dll")]
            private static extern int BCryptDestroyKey(IntPtr key);

            [DllImport("bcrypt.dll")]
            private static extern int BCryptCloseAlgorithmProvider(IntPtr algorithm, int flags);
        }
    }
}
