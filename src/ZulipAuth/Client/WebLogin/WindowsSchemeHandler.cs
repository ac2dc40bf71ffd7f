using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Win32;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// Windows: HKCU\Software\Classes\zulip (per user, no administrator rights) pointing to a PowerShell script that
    /// writes "&lt;token&gt; &lt;url&gt;" to the receiver's loopback port. Whatever was under that key before is read
    /// into memory first and written back on Dispose. Reviewed, not run: the tests run on Linux.
    /// </summary>
    internal sealed class WindowsSchemeHandler : SchemeHandler
    {
        private const string KeyPath = @"Software\Classes\" + Scheme;

        private readonly RegistrySnapshot? previous;
        private readonly string scriptFolder;
        private bool disposed;

        private WindowsSchemeHandler(RegistrySnapshot? previous, string scriptFolder)
        {
            this.previous = previous;
            this.scriptFolder = scriptFolder;
        }

        public override string Description => @"HKEY_CURRENT_USER\" + KeyPath + (previous == null ? string.Empty : " (the handler that was there is put back afterwards)");

        public static new WindowsSchemeHandler Install(LoopbackReceiver receiver)
        {
            RegistrySnapshot? previous;
            using (var existing = Registry.CurrentUser.OpenSubKey(KeyPath))
            {
                previous = existing == null ? null : RegistrySnapshot.Read(existing);
            }

            var folder = Path.Combine(Path.GetTempPath(), "ZulipAuth-" + Hex.Encode(OneTimeSecret.NewBytes()).Substring(0, 12));
            Directory.CreateDirectory(folder);
            var script = Path.Combine(folder, "handler.ps1");
            File.WriteAllText(script, CommandScript(receiver.Port, receiver.Token), new UTF8Encoding(false));
            var handler = new WindowsSchemeHandler(previous, folder);
            try
            {
                Registry.CurrentUser.DeleteSubKeyTree(KeyPath, throwOnMissingSubKey: false);
                using var key = Registry.CurrentUser.CreateSubKey(KeyPath);
                key.SetValue(string.Empty, "URL:Zulip (ZulipAuth web login, temporary)");
                key.SetValue("URL Protocol", string.Empty);
                using var command = key.CreateSubKey(@"shell\open\command");
                command.SetValue(string.Empty, CommandLine(script));
                return handler;
            }
            catch (Exception e) when (e is UnauthorizedAccessException || e is IOException || e is System.Security.SecurityException)
            {
                handler.Dispose();
                throw ZulipApiException.WithHint(ZulipErrorId.SchemeHandlerFailed, $"The temporary zulip: link handler could not be written to HKEY_CURRENT_USER\\{KeyPath}: {e.Message}", "Use -Paste, which needs no handler.", e);
            }
        }

        /// <summary>The command the shell runs; the URL reaches the script as one quoted argument, never as code.</summary>
        internal static string CommandLine(string script)
        {
            var powershell = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), @"WindowsPowerShell\v1.0\powershell.exe");
            return $"\"{powershell}\" -NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File \"{script}\" \"%1\"";
        }

        internal static string CommandScript(int port, string token) =>
            "param([string]$Url)\n" +
            "# Temporary zulip: handler of ZulipAuth's Get-ZulipApiKey -Web; removed when that login ends.\n" +
            $"$client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', {port})\n" +
            "try {\n" +
            "    $bytes = [System.Text.Encoding]::UTF8.GetBytes('" + token + " ' + $Url + \"`n\")\n" +
            "    $client.GetStream().Write($bytes, 0, $bytes.Length)\n" +
            "} finally { $client.Dispose() }\n";

        public override void Dispose()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            try
            {
                Registry.CurrentUser.DeleteSubKeyTree(KeyPath, throwOnMissingSubKey: false);
                if (previous != null)
                {
                    using var key = Registry.CurrentUser.CreateSubKey(KeyPath);
                    previous.Write(key);
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException || e is IOException || e is System.Security.SecurityException)
            {
                // Nothing more can be done from here; the folder below still goes.
            }
            finally
            {
                try
                {
                    Directory.Delete(scriptFolder, recursive: true);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // Holds only a spent loopback token.
                }
            }
        }

        /// <summary>A registry key's values (with their kinds) and subkeys, held in memory to be written back.</summary>
        internal sealed class RegistrySnapshot
        {
            private readonly List<(string Name, object Value, RegistryValueKind Kind)> values = new List<(string, object, RegistryValueKind)>();
            private readonly List<(string Name, RegistrySnapshot Key)> subKeys = new List<(string, RegistrySnapshot)>();

            public static RegistrySnapshot Read(RegistryKey key, int depth = 0)
            {
                var snapshot = new RegistrySnapshot();
                foreach (var name in key.GetValueNames())
                {
                    var value = key.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames);
                    if (value != null)
                    {
                        snapshot.values.Add((name, value, key.GetValueKind(name)));
                    }
                }

                if (depth < 16)
                {
                    foreach (var name in key.GetSubKeyNames())
                    {
                        using var sub = key.OpenSubKey(name);
                        if (sub != null)
                        {
                            snapshot.subKeys.Add((name, Read(sub, depth + 1)));
                        }
                    }
                }

                return snapshot;
            }

            public void Write(RegistryKey key)
            {
                foreach (var (name, value, kind) in values)
                {
                    key.SetValue(name, value, kind);
                }

                foreach (var (name, sub) in subKeys)
                {
                    using var created = key.CreateSubKey(name);
                    sub.Write(created);
                }
            }
        }
    }
}
