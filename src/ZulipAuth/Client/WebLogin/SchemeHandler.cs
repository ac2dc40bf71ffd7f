using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// A temporary, per-user handler for the zulip: scheme that hands the URL to a <see cref="LoopbackReceiver"/>.
    /// Dispose removes it and puts back whatever handler the user had before.
    /// </summary>
    internal abstract class SchemeHandler : IDisposable
    {
        public const string Scheme = "zulip";

        /// <summary>Where the handler lives, for the verbose line and the docs.</summary>
        public abstract string Description { get; }

        /// <summary>The handler for this OS, or null where there is none (macOS: use the paste flow).</summary>
        public static SchemeHandler? Install(LoopbackReceiver receiver)
        {
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                return WindowsSchemeHandler.Install(receiver);
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return XdgSchemeHandler.Install(receiver);
            }

            return null;
        }

        /// <summary>Opens <paramref name="url"/> in the user's default browser.</summary>
        public static void OpenBrowser(Uri url)
        {
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                using (Process.Start(new ProcessStartInfo(url.AbsoluteUri) { UseShellExecute = true }))
                {
                }

                return;
            }

            XdgSchemeHandler.Run("xdg-open", url.AbsoluteUri, TimeSpan.FromSeconds(30), waitForExit: false);
        }

        public abstract void Dispose();
    }
}
