using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Reads the TLS material a call names: a CA bundle (PEM, one or more certificates, as python-zulip-api's
    /// cert_bundle), a client certificate from files (PEM as Python's requests takes it, or PKCS#12) or from
    /// the CurrentUser\My store by thumbprint. Files are bounded and never opened when they are not regular
    /// files, so a FIFO or a device cannot block or flood the call.
    /// </summary>
    internal static class CertificateFiles
    {
        /// <summary>Far above any real bundle (the Mozilla bundle is about 220 KiB).</summary>
        public const int MaximumFileBytes = 4 * 1024 * 1024;

        /// <summary>Far above any real bundle (the Mozilla bundle has about 150).</summary>
        public const int MaximumCertificates = 2000;

        private const string BeginCertificate = "-----BEGIN CERTIFICATE-----";
        private const string EndCertificate = "-----END CERTIFICATE-----";

        private const string UseFullPathHint = "Name an existing PEM file, for example the CA certificate your server's administrator gave you.";

        /// <summary>The certificates of a PEM bundle; ZulipInvalidPath or ZulipCertificateFileInvalid when it has none.</summary>
        public static X509Certificate2Collection LoadBundle(string path)
        {
            var text = ReadText(path, "CA bundle");
            var certificates = new X509Certificate2Collection();
            var at = 0;
            while (true)
            {
                var begin = text.IndexOf(BeginCertificate, at, StringComparison.Ordinal);
                if (begin < 0)
                {
                    break;
                }

                var end = text.IndexOf(EndCertificate, begin, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Invalid(path, "a certificate in it has no END CERTIFICATE line", UseFullPathHint);
                }

                if (certificates.Count == MaximumCertificates)
                {
                    throw Invalid(path, $"it holds more than {MaximumCertificates} certificates", UseFullPathHint);
                }

                var body = text.Substring(begin + BeginCertificate.Length, end - begin - BeginCertificate.Length);
                try
                {
                    certificates.Add(new X509Certificate2(Convert.FromBase64String(body)));
                }
                catch (Exception e) when (e is FormatException || e is CryptographicException)
                {
                    throw Invalid(path, $"certificate {certificates.Count + 1} in it cannot be read", "Check that the file is a PEM bundle of CA certificates (BEGIN CERTIFICATE blocks).", e);
                }

                at = end + EndCertificate.Length;
            }

            if (certificates.Count == 0)
            {
                throw Invalid(path, "it holds no PEM certificate (no BEGIN CERTIFICATE line)", "Give the CA certificates in PEM format; convert a DER file with 'openssl x509 -inform der -in ca.cer -out ca.pem'.");
            }

            return certificates;
        }

        /// <summary>
        /// A client certificate with its private key: PEM (the key in the same file or in <paramref name="keyPath"/>),
        /// as Python's requests reads client_cert and client_cert_key, or PKCS#12 without a password.
        /// </summary>
        public static X509Certificate2 LoadClientCertificate(string certificatePath, string? keyPath)
        {
            var bytes = ReadBounded(certificatePath, "client certificate");
            byte[]? keyBytes = keyPath == null ? null : ReadBounded(keyPath, "client certificate key");
            try
            {
                var isPem = Encoding.ASCII.GetString(bytes).Contains("-----BEGIN ");
                if (!isPem && keyPath == null)
                {
                    return RequirePrivateKey(LoadPkcs12(certificatePath, bytes), certificatePath);
                }

                return RequirePrivateKey(FromPem(certificatePath, keyPath), certificatePath);
            }
            finally
            {
                if (keyBytes != null)
                {
                    Array.Clear(keyBytes, 0, keyBytes.Length);
                }
            }
        }

        /// <summary>A certificate from CurrentUser\My by thumbprint (spaces and case ignored), as Invoke-RestMethod looks it up.</summary>
        public static X509Certificate2 FindByThumbprint(string thumbprint)
        {
            var wanted = new string(thumbprint.Where(c => !char.IsWhiteSpace(c) && c != ':').ToArray()).ToUpperInvariant();
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                // No such store yet (a fresh Linux account has no CurrentUser\My): the certificate is not there.
                throw NotFound(wanted);
            }

            var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
            if (found.Count == 0)
            {
                throw NotFound(wanted);
            }

            return RequirePrivateKey(found[0], "Cert:\\CurrentUser\\My\\" + wanted);
        }

        /// <summary>The SHA-256 of a certificate, for keys that must tell two certificates apart.</summary>
        public static string Fingerprint(X509Certificate2 certificate)
        {
            using var sha = SHA256.Create();
            return Convert.ToBase64String(sha.ComputeHash(certificate.RawData));
        }

        /// <summary>
        /// X509Certificate2.CreateFromPemFile(string, string), from .NET 5; null on Windows PowerShell's .NET Framework,
        /// which cannot read a PEM private key. Settable so the .NET Framework answer is tested on .NET too.
        /// </summary>
        internal static MethodInfo? CreateFromPemFile { get; set; } =
            typeof(X509Certificate2).GetMethod("CreateFromPemFile", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string) }, null);

        private static X509Certificate2 FromPem(string certificatePath, string? keyPath)
        {
            // The files were checked above (regular, bounded), so reading them again here cannot block.
            var createFromPemFile = CreateFromPemFile;
            if (createFromPemFile == null)
            {
                throw ZulipApiException.WithHint(
                    ZulipErrorId.ClientCertificateKeyUnsupported,
                    $"'{keyPath ?? certificatePath}' holds a PEM private key, which Windows PowerShell (.NET Framework) cannot read.",
                    "Use PowerShell 7, or convert the certificate and key to PKCS#12 ('openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.pfx') and give it with -Certificate (Get-PfxCertificate).");
            }

            try
            {
                using var ephemeral = (X509Certificate2)createFromPemFile.Invoke(null, new object?[] { certificatePath, keyPath })!;

                // A key made from PEM is ephemeral, which the TLS stack of some platforms refuses for a client
                // certificate; a PKCS#12 round trip gives it a stored key (as the test server does for its own).
                var pfx = ephemeral.Export(X509ContentType.Pkcs12);
                try
                {
                    return new X509Certificate2(pfx, (string?)null, X509KeyStorageFlags.Exportable);
                }
                finally
                {
                    Array.Clear(pfx, 0, pfx.Length);
                }
            }
            catch (Exception e) when (e is TargetInvocationException || e is CryptographicException)
            {
                throw Invalid(keyPath ?? certificatePath, "the certificate and its private key cannot be read from it (PEM expected: a BEGIN CERTIFICATE block and an unencrypted BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)", "Check client_cert and client_cert_key (or ZULIP_CERT and ZULIP_CERT_KEY, or -Certificate): the key must be the certificate's and not encrypted.", e.InnerException ?? e);
            }
        }

        private static X509Certificate2 LoadPkcs12(string path, byte[] bytes)
        {
            try
            {
                return new X509Certificate2(bytes, (string?)null, X509KeyStorageFlags.DefaultKeySet);
            }
            catch (CryptographicException e)
            {
                throw Invalid(path, "it is neither PEM nor a PKCS#12 file without a password", "Give a PEM certificate (with client_cert_key for its key), or load a protected PFX with Get-PfxCertificate and pass it with -Certificate.", e);
            }
        }

        public static X509Certificate2 RequirePrivateKey(X509Certificate2 certificate, string where)
        {
            if (!certificate.HasPrivateKey)
            {
                throw Invalid(where, "it holds a certificate but not its private key, so it cannot prove who this client is", "Give the private key too: client_cert_key in a zuliprc (ZULIP_CERT_KEY), or a certificate with its key (a PFX, or one from Cert:\\CurrentUser\\My).");
            }

            return certificate;
        }

        private static string ReadText(string path, string what) => Encoding.ASCII.GetString(ReadBounded(path, what));

        private static byte[] ReadBounded(string path, string what)
        {
            var kind = PrivateFile.KindOf(path);
            if (kind != FileKind.Regular)
            {
                var why = kind == FileKind.Missing ? "does not exist" : kind == FileKind.Directory ? "is a folder" : "is not a regular file";
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"The {what} '{path}' {why}.", "Name an existing file; a relative path is taken from the current PowerShell location.");
            }

            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                var buffer = new byte[Math.Min(MaximumFileBytes + 1, Math.Max(0, stream.Length) + 1)];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
                {
                    total += read;
                }

                if (total > MaximumFileBytes)
                {
                    throw Invalid(path, $"it is larger than {MaximumFileBytes / 1024 / 1024} MiB, which no certificate file is", UseFullPathHint);
                }

                Array.Resize(ref buffer, total);
                return buffer;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"The {what} '{path}' cannot be read: {e.Message}", "Check that the file exists and that you may read it.", e);
            }
        }

        private static ZulipApiException Invalid(string path, string why, string hint, Exception? inner = null) =>
            ZulipApiException.WithHint(ZulipErrorId.CertificateUnusable, $"'{path}' cannot be used: {why}.", hint, inner);

        private static ZulipApiException NotFound(string thumbprint) =>
            ZulipApiException.WithHint(ZulipErrorId.ClientCertificateNotFound, $"No certificate with the thumbprint {thumbprint} is in Cert:\\CurrentUser\\My.", "List the store with Get-ChildItem Cert:\\CurrentUser\\My (on Linux and macOS: [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')), or give the certificate itself with -Certificate.");
    }
}
