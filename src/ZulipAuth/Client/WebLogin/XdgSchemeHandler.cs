using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// Linux: a desktop entry in $XDG_DATA_HOME/applications (default ~/.local/share/applications) made the default
    /// for x-scheme-handler/zulip with xdg-mime, running a bash script that writes "&lt;token&gt; &lt;url&gt;" to the
    /// receiver's loopback port. Both files are created mode 0600; neither ever holds the key (the redirect reaches
    /// the script only as its argument and goes straight to the socket). Dispose puts the user's mimeapps.list back as
    /// it was, or, when something else changed it during the login, removes only the handler's line.
    /// </summary>
    internal sealed class XdgSchemeHandler : SchemeHandler
    {
        private const string MimeType = "x-scheme-handler/" + Scheme;

        private readonly string desktopFile;
        private readonly string scriptFile;
        private readonly string? previousDefault;
        private readonly string mimeAppsList;
        private readonly byte[]? mimeAppsListBefore;
        private byte[]? mimeAppsListOurs;
        private bool disposed;

        private XdgSchemeHandler(string desktopFile, string scriptFile, string? previousDefault, string mimeAppsList, byte[]? mimeAppsListBefore)
        {
            this.desktopFile = desktopFile;
            this.scriptFile = scriptFile;
            this.previousDefault = previousDefault;
            this.mimeAppsList = mimeAppsList;
            this.mimeAppsListBefore = mimeAppsListBefore;
        }

        public override string Description => $"{desktopFile} (default for {MimeType} until the login ends{(previousDefault == null ? string.Empty : "; then " + previousDefault + " again")})";

        public static string ApplicationsFolder => Path.Combine(DataHome, "applications");

        private static string Home => Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        private static string DataHome => NonEmpty(Environment.GetEnvironmentVariable("XDG_DATA_HOME")) ?? Path.Combine(Home, ".local", "share");

        private static string ConfigHome => NonEmpty(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME")) ?? Path.Combine(Home, ".config");

        public static new XdgSchemeHandler Install(LoopbackReceiver receiver)
        {
            var applications = ApplicationsFolder;
            if (applications.Any(char.IsWhiteSpace))
            {
                throw Failed($"the applications folder {applications} contains a space, which desktop entries cannot quote portably.", null);
            }

            var previous = NonEmpty(Run("xdg-mime", "query default " + MimeType, TimeSpan.FromSeconds(10), waitForExit: true).Trim());
            Directory.CreateDirectory(applications);
            var name = "zulipauth-login-" + Hex.Encode(OneTimeSecret.NewBytes()).Substring(0, 12);
            var script = Path.Combine(applications, name + ".sh");
            var desktop = Path.Combine(applications, name + ".desktop");
            var mimeApps = Path.Combine(ConfigHome, "mimeapps.list");
            // The user's list as it was (it holds no secret): put back byte for byte afterwards, so a default that
            // came from the system (a distribution's Zulip app) is not pinned into the user's list.
            var before = File.Exists(mimeApps) ? File.ReadAllBytes(mimeApps) : null;

            PrivateFile.Write(script, Encoding.UTF8.GetBytes(
                "#!/bin/bash\n" +
                "# Temporary zulip: handler of ZulipAuth's Get-ZulipApiKey -Web; removed when that login ends.\n" +
                $"exec 3<>/dev/tcp/127.0.0.1/{receiver.Port} || exit 1\n" +
                $"printf '%s %s\\n' '{receiver.Token}' \"$1\" >&3\n" +
                "exec 3>&-\n"), replace: false);
            var handler = new XdgSchemeHandler(desktop, script, previous, mimeApps, before);
            try
            {
                PrivateFile.Write(desktop, Encoding.UTF8.GetBytes(
                    "[Desktop Entry]\n" +
                    "Type=Application\n" +
                    "Name=ZulipAuth web login (temporary)\n" +
                    $"Exec=/bin/bash {script} %u\n" +
                    "MimeType=" + MimeType + ";\n" +
                    "NoDisplay=true\n" +
                    "Terminal=false\n"), replace: false);
                Run("xdg-mime", $"default {name}.desktop {MimeType}", TimeSpan.FromSeconds(10), waitForExit: true);
                var now = Run("xdg-mime", "query default " + MimeType, TimeSpan.FromSeconds(10), waitForExit: true).Trim();
                if (now != name + ".desktop")
                {
                    throw Failed($"xdg-mime did not make it the default for {MimeType} (it reports '{now}').", null);
                }

                handler.mimeAppsListOurs = File.Exists(mimeApps) ? File.ReadAllBytes(mimeApps) : null;

                return handler;
            }
            catch
            {
                handler.Dispose();
                throw;
            }
        }

        public override void Dispose()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            var ours = Path.GetFileName(desktopFile);
            try
            {
                var current = File.Exists(mimeAppsList) ? File.ReadAllBytes(mimeAppsList) : null;
                if (current != null && mimeAppsListOurs != null && current.SequenceEqual(mimeAppsListOurs))
                {
                    // Nobody else changed it during the login: exactly as it was.
                    if (mimeAppsListBefore == null)
                    {
                        File.Delete(mimeAppsList);
                    }
                    else
                    {
                        File.WriteAllBytes(mimeAppsList, mimeAppsListBefore);
                    }
                }
                else if (current != null)
                {
                    // Someone changed it during the login: drop only our line, putting back the user's own if there was one.
                    var ourLine = MimeType + "=" + ours;
                    Func<string, bool> isOurs = l => l.Trim() == ourLine || l.Trim() == ourLine + ";";
                    var lines = Encoding.UTF8.GetString(current).Split('\n');
                    if (lines.Any(isOurs))
                    {
                        var own = mimeAppsListBefore == null ? null : Encoding.UTF8.GetString(mimeAppsListBefore).Split('\n').FirstOrDefault(l => l.StartsWith(MimeType + "=", StringComparison.Ordinal));
                        File.WriteAllText(mimeAppsList, string.Join("\n", lines.Select(l => isOurs(l) ? own : l).Where(l => l != null)));
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ZulipApiException)
            {
                // Still remove the files below: a default pointing to a missing entry is ignored by xdg-open.
            }
            finally
            {
                TryDelete(desktopFile);
                TryDelete(scriptFile);
            }
        }

        /// <summary>Runs an xdg-utils program; its output (never secret) or a ZulipSchemeHandlerFailed saying what to install.</summary>
        internal static string Run(string program, string arguments, TimeSpan limit, bool waitForExit)
        {
            var start = new ProcessStartInfo(program, arguments)
            {
                UseShellExecute = false,
                RedirectStandardOutput = waitForExit,
                RedirectStandardError = waitForExit,
                RedirectStandardInput = false,
                CreateNoWindow = true,
            };
            Process process;
            try
            {
                process = Process.Start(start) ?? throw Failed($"{program} did not start.", null);
            }
            catch (Win32Exception e)
            {
                throw Failed($"{program} was not found.", e);
            }

            using (process)
            {
                if (!waitForExit)
                {
                    return string.Empty;
                }

                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit((int)limit.TotalMilliseconds))
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    throw Failed($"{program} {arguments} did not finish within {limit.TotalSeconds:0} s.", null);
                }

                if (process.ExitCode != 0)
                {
                    throw Failed($"{program} {arguments} failed with exit code {process.ExitCode}: {Truncate(error.Result)}", null);
                }

                return output.Result;
            }
        }

        private static ZulipApiException Failed(string what, Exception? inner) =>
            ZulipApiException.WithHint(ZulipErrorId.SchemeHandlerFailed, "The temporary zulip: link handler could not be installed: " + what,
                "The browser login needs xdg-utils (Debian and Ubuntu: sudo apt-get install xdg-utils). Or use -Paste, which needs nothing installed.", inner);

        private static string Truncate(string text) => text.Length > 300 ? text.Substring(0, 300) + "…" : text.Trim();

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Left behind only if the folder became unwritable; it holds no secret but a spent token.
            }
        }

        private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }
}
