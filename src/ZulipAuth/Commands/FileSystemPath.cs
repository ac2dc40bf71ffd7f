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
            string resolved;
            ProviderInfo provider;
            try
            {
                resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            }
            catch (SessionStateException e)
            {
                // An unknown drive or provider ("Q:\x", "Nope::x"); PowerShell's message names it.
                throw new ZulipApiException(ZulipErrorId.InvalidPath, $"'{path}' is not a usable path: {e.Message}", e);
            }

            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                throw new ZulipApiException(ZulipErrorId.InvalidPath, $"'{path}' is on the {provider.Name} drive, not in the file system. Give a file path, for example ~/.zuliprc, or Set-Location to a folder first.");
            }

            return resolved;
        }
    }
}
