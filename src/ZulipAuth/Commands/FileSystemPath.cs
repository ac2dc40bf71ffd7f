using System;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace ZulipAuth.Commands
{
    /// <summary>Turns a -Path as PowerShell users write it (relative to the current location, ~, PSPath) into a file path.</summary>
    internal static class FileSystemPath
    {
        /// <summary>
        /// The file system path for <paramref name="path"/>, resolved against the runspace's location rather than
        /// the process directory. Throws ZulipInvalidPath when it names another provider's item (Env:, HKLM:,
        /// or a relative path while the location is such a drive), which would otherwise be read as a file
        /// relative to the process directory.
        /// </summary>
        public static string Resolve(PSCmdlet cmdlet, string path)
        {
            if (Unusable(path) is string why)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is not a usable path: {why}.", "Give a file path without control characters, for example ~/.zuliprc.");
            }

            string resolved;
            ProviderInfo provider;
            try
            {
                resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            }
            catch (Exception e) when (e is SessionStateException || e is ArgumentException || e is NotSupportedException || e is System.IO.IOException || e is ProviderInvocationException)
            {
                // An unknown drive or provider ("Q:\x", "Nope::x"), or a path the provider cannot read; PowerShell's message names it.
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is not a usable path: {e.Message}", "Give a file path, for example ~/.zuliprc.", e);
            }

            if (Unusable(resolved) is string resolvedWhy)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is not a usable path: {resolvedWhy}.", "Give a file path without control characters, for example ~/.zuliprc.");
            }

            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is on the {provider.Name} drive, not in the file system.", "Give a file path, for example ~/.zuliprc, or Set-Location to a folder first.");
            }

            return resolved;
        }

        /// <summary>
        /// Why no file system can take <paramref name="path"/>, or null. A NUL would cut the path short on its way
        /// to the operating system, so another file than the one named would be used.
        /// </summary>
        private static string? Unusable(string path)
        {
            if (path.IndexOf('\0') >= 0)
            {
                return "it contains a NUL character";
            }

            if (path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
            {
                return "it contains characters that file names cannot hold";
            }

            return null;
        }

        /// <summary>The path for a message, with control characters shown as U+FFFD so that they cannot forge output.</summary>
        private static string Shown(string path)
        {
            var chars = path.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (char.IsControl(chars[i]))
                {
                    chars[i] = '\uFFFD';
                }
            }

            return new string(chars);
        }
    }
}
