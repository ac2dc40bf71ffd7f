using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Import-ZulipRc: reads a key the way Zulip's Python bindings find it (explicit path; else all three of
    /// ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE; else ZULIP_CONFIG; else $HOME/.zuliprc).
    /// </summary>
    [Cmdlet(VerbsData.Import, "ZulipRc")]
    [OutputType(typeof(ZulipApiKey))]
    public sealed class ImportZulipRcCommand : PSCmdlet
    {
        private static readonly string[] EnvironmentNames = { "ZULIP_EMAIL", "ZULIP_API_KEY", "ZULIP_SITE" };

        private const string GetAKeyHint = "Fetch a key with Get-ZulipApiKey | Export-ZulipRc, or download a zuliprc from the web app (Personal settings > Account & privacy > API key).";

        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                Import();
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, Path));
            }
        }

        private void Import()
        {
            if (Path != null)
            {
                ReadFile(FileSystemPath.Resolve(this, Path), null);
                return;
            }

            var values = EnvironmentNames.Select(Environment.GetEnvironmentVariable).ToArray();
            if (values.All(v => !string.IsNullOrEmpty(v)))
            {
                WriteVerbose("Using ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE from the environment.");
                EmitFromValues("ZULIP_SITE", null, values[0]!, values[1]!, values[2]!);
                return;
            }

            if (values.Any(v => !string.IsNullOrEmpty(v)))
            {
                // The Python bindings would mix them with the file's values one by one, which can pair an email
                // with another account's key; all three or none is the only unambiguous rule.
                var missing = EnvironmentNames.Where((n, i) => string.IsNullOrEmpty(values[i]));
                WriteWarning($"Some ZULIP_* variables are set but not {string.Join(", ", missing)}; they are used only all together, so a file is read instead.");
            }

            var configured = Environment.GetEnvironmentVariable("ZULIP_CONFIG");
            if (string.IsNullOrEmpty(configured))
            {
                ReadFile(ZulipRcFile.DefaultPath, null);
            }
            else
            {
                // Relative to the PowerShell location, as -Path is, and with ~ expanded as Python's expanduser does.
                ReadFile(FileSystemPath.Resolve(this, configured!), "named by ZULIP_CONFIG");
            }
        }

        private void ReadFile(string path, string? origin)
        {
            var where = origin == null ? $"'{path}'" : $"'{path}' ({origin})";
            if (!File.Exists(path))
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigNotFound, $"There is no zuliprc at {where}.", GetAKeyHint, path));
                return;
            }

            if (PrivateFile.IsReadableByOthers(path))
            {
                WriteWarning($"'{path}' can be read by other users of this machine, and it holds an API key; run 'chmod 600 {path}'. (Zulip's terminal client refuses such a file.)");
            }

            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigReadFailed, $"Could not read {where}: {e.Message}", "Check that you may read the file, or name another one with -Path.", path, e));
                return;
            }

            const string FixHint = "Fix the file, or write a new one with Get-ZulipApiKey | Export-ZulipRc -Force.";
            Dictionary<string, Dictionary<string, string>> sections;
            try
            {
                sections = ZulipRcFile.Parse(text);
            }
            catch (FormatException e)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"{where} is not a valid zuliprc: {e.Message}.", FixHint, path));
                return;
            }

            if (!sections.TryGetValue("api", out var api))
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"{where} has no [api] section, which every zuliprc has.", FixHint, path));
                return;
            }

            var missing = new[] { "email", "key", "site" }.Where(k => !api.TryGetValue(k, out var v) || v.Length == 0).ToArray();
            if (missing.Length > 0)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The [api] section of {where} has no {string.Join(", ", missing)}.", FixHint, path));
                return;
            }

            EmitFromValues(where, path, api["email"], api["key"], api["site"]);
        }

        private void EmitFromValues(string source, string? path, string email, string key, string site)
        {
            Uri server;
            try
            {
                server = ServerAddress.Normalize(ZulipRcFile.NormalizeSite(site));
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The site in {source} is not usable: {e.Message}", "Set site to the organization's URL, for example site=https://chat.example.com.", path));
                return;
            }

            WriteObject(new ZulipApiKey(server, email, SecureStrings.ReadOnlyCopy(key), userId: null) { Source = path == null ? "Environment" : "File", SourcePath = path });
        }

    }
}
