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
        /// A -Path as PowerShell's own cmdlets read it: a wildcard pattern that must match exactly one item (an
        /// item is never picked for the user among several), otherwise the name itself with its backtick escapes
        /// removed, which need not exist yet. -LiteralPath goes to <see cref="Resolve"/> unchanged.
        /// </summary>
        public static string ResolvePattern(PSCmdlet cmdlet, string path)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path) || Unusable(path) != null)
            {
                return Resolve(cmdlet, WildcardPattern.Unescape(path));
            }

            System.Collections.ObjectModel.Collection<string> matches;
            ProviderInfo provider;
            try
            {
                matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            }
            catch (ItemNotFoundException)
            {
                matches = new System.Collections.ObjectModel.Collection<string>();
                provider = null!;
            }
            catch (Exception e) when (e is SessionStateException || e is ArgumentException || e is NotSupportedException || e is System.IO.IOException || e is ProviderInvocationException)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is not a usable path: {e.Message}", "Give a file path, for example ~/.zuliprc.", e);
            }

            const string LiteralHint = "Name one file; for a name that contains [ ] * or ?, use -LiteralPath.";
            if (matches.Count == 0)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is a wildcard pattern and matches no file.", LiteralHint);
            }

            if (matches.Count > 1)
            {
                var shown = string.Join("', '", System.Linq.Enumerable.Take(matches, 3));
                var more = matches.Count > 3 ? $" and {matches.Count - 3} more" : string.Empty;
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' matches {matches.Count} items ('{Shown(shown)}'{more}); one file is needed.", LiteralHint);
            }

            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                throw ZulipApiException.WithHint(ZulipErrorId.InvalidPath, $"'{Shown(path)}' is on the {provider.Name} drive, not in the file system.", "Give a file path, for example ~/.zuliprc, or Set-Location to a folder first.");
            }

            // Already a file system path: resolving it again would read it relative to the current drive.
            return matches[0];
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
