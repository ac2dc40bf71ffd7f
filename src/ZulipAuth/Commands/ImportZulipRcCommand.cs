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

        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        protected override void ProcessRecord()
        {
            if (Path == null)
            {
                var values = EnvironmentNames.Select(Environment.GetEnvironmentVariable).ToArray();
                if (values.All(v => !string.IsNullOrEmpty(v)))
                {
                    WriteVerbose("Using ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE from the environment.");
                    EmitFromValues("the environment variables", values[0]!, values[1]!, values[2]!);
                    return;
                }

                if (values.Any(v => !string.IsNullOrEmpty(v)))
                {
                    var missing = EnvironmentNames.Where((n, i) => string.IsNullOrEmpty(values[i]));
                    WriteWarning($"Some ZULIP_* variables are set but not {string.Join(", ", missing)}; they are used only all together, so a file is read instead.");
                }

                var configured = Environment.GetEnvironmentVariable("ZULIP_CONFIG");
                ReadFile(string.IsNullOrEmpty(configured) ? ZulipRcFile.DefaultPath : configured!);
                return;
            }

            ReadFile(GetUnresolvedProviderPathFromPSPath(Path));
        }

        private void ReadFile(string path)
        {
            if (!File.Exists(path))
            {
                Fail(ZulipErrorId.ConfigNotFound, $"There is no zuliprc at '{path}'. Fetch a key with Get-ZulipApiKey | Export-ZulipRc, or download one from the web app (Personal settings > Account & privacy > API key).", path);
                return;
            }

            if (PrivateFile.IsReadableByOthers(path))
            {
                WriteWarning($"'{path}' can be read by other users of this machine, and it holds an API key; run 'chmod 600 {path}'. (Zulip's terminal client refuses such a file.)");
            }

            Dictionary<string, Dictionary<string, string>> sections;
            try
            {
                sections = ZulipRcFile.Parse(File.ReadAllText(path));
            }
            catch (FormatException e)
            {
                Fail(ZulipErrorId.ConfigInvalid, $"'{path}' is not a valid zuliprc: {e.Message}.", path);
                return;
            }

            if (!sections.TryGetValue("api", out var api))
            {
                Fail(ZulipErrorId.ConfigInvalid, $"'{path}' has no [api] section, which every zuliprc has.", path);
                return;
            }

            var missing = new[] { "email", "key", "site" }.Where(k => !api.TryGetValue(k, out var v) || v.Length == 0).ToArray();
            if (missing.Length > 0)
            {
                Fail(ZulipErrorId.ConfigInvalid, $"The [api] section of '{path}' has no {string.Join(", ", missing)}.", path);
                return;
            }

            EmitFromValues($"'{path}'", api["email"], api["key"], api["site"]);
        }

        private void EmitFromValues(string source, string email, string key, string site)
        {
            Uri server;
            try
            {
                server = ServerAddress.Normalize(ZulipRcFile.NormalizeSite(site));
            }
            catch (ZulipApiException e)
            {
                Fail(ZulipErrorId.ConfigInvalid, $"The site in {source} is not usable: {e.Message}", null);
                return;
            }

            WriteObject(new ZulipApiKey(server, email, SecureStrings.ReadOnlyCopy(key), userId: null));
        }

        private void Fail(string errorId, string message, string? path) =>
            WriteError(ErrorRecords.Create(new ZulipApiException(errorId, message), path));
    }
}
