using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Import-ZulipRc: reads a key the way Zulip's Python bindings find it (explicit path; else all three of
    /// ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE; else ZULIP_CONFIG; else $HOME/.zuliprc), with the TLS settings
    /// (insecure, cert_bundle, client_cert, client_cert_key and their ZULIP_* variables) carried on the key.
    /// </summary>
    [Cmdlet(VerbsData.Import, "ZulipRc", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ZulipApiKey), typeof(string))]
    public sealed class ImportZulipRcCommand : PSCmdlet, IDisposable
    {
        private const string GetAKeyHint = "Fetch a key with Get-ZulipApiKey | Export-ZulipRc, or download a zuliprc from the web app (Personal settings > Account & privacy > API key).";
        private const string FixHint = "Fix the file, or write a new one with Get-ZulipApiKey | Export-ZulipRc -Force.";

        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        /// <summary>The file to read; a wildcard pattern must match exactly one file.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The file to read, exactly as named; what Get-Item and Get-ChildItem give binds here (PSPath).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "FullName", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = string.Empty;

        /// <summary>Emits the key as a string instead of a ZulipApiKey.</summary>
        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        public void Dispose() => stopping.Dispose();

        protected override void StopProcessing() => stopping.Cancel();

        protected override void ProcessRecord()
        {
            try
            {
                Import();
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, ParameterSetName == LiteralPathSet ? LiteralPath : Path));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Ctrl+C: PowerShell is ending the pipeline; nothing more to report.
            }
        }

        private void Import()
        {
            var tls = ZulipRcFile.TlsVariables();
            if (ParameterSetName == LiteralPathSet)
            {
                ReadFile(FileSystemPath.Resolve(this, LiteralPath), null, tls, isDefault: false);
                return;
            }

            if (Path != null)
            {
                ReadFile(FileSystemPath.ResolvePattern(this, Path), null, tls, isDefault: false);
                return;
            }

            var source = ZulipRcSource.Locate(p => FileSystemPath.Resolve(this, p));
            if (source.Path == null)
            {
                WriteVerbose("Using ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE from the environment.");
                ZulipRcSettings settings;
                try
                {
                    settings = ZulipRcFile.FromValues(source.EnvironmentEmail!, source.EnvironmentKey!, source.EnvironmentSite!, p => FileSystemPath.Resolve(this, p), tls);
                }
                catch (FormatException e)
                {
                    WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The ZULIP_* variables cannot be used: {e.Message}.", "Correct or clear the variables named, or name a file with -Path.", null));
                    return;
                }

                Emit(settings, "the ZULIP_SITE variable", null);
                return;
            }

            if (source.UnsetVariables.Count > 0)
            {
                WriteWarning($"Some ZULIP_* variables are set but not {string.Join(", ", source.UnsetVariables)}; they are used only all together, so a file is read instead.");
            }

            ReadFile(source.Path, source.Origin, tls, isDefault: source.Origin == null);
        }

        private void ReadFile(string path, string? origin, System.Collections.Generic.IReadOnlyDictionary<string, string> tls, bool isDefault)
        {
            var where = origin == null ? $"'{path}'" : $"'{path}' ({origin})";
            byte[] bytes;
            try
            {
                bytes = PrivateFile.ReadRegular(path, stopping.Token);
            }
            catch (ZulipApiException e) when (e.ErrorId == ZulipErrorId.ConfigNotFound)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigNotFound, $"There is no zuliprc at {where}.{(isDefault ? LookedAt() : string.Empty)}", GetAKeyHint, path));
                return;
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, path));
                return;
            }

            try
            {
                if (PrivateFile.IsReadableByOthers(path))
                {
                    WriteWarning($"'{DisplayText.Neutralize(path)}' can be read by other users of this machine, and it holds an API key; run 'chmod 600 {DisplayText.Neutralize(path)}'. (Zulip's terminal client refuses such a file.)");
                }

                string text;
                try
                {
                    text = ZulipRcFile.Decode(bytes);
                }
                catch (FormatException e)
                {
                    WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"{where} cannot be read by other Zulip clients: {e.Message}.", "Save the file as UTF-8 without a byte order mark (for example: Get-Content $path | Set-Content -Encoding utf8NoBOM $path in PowerShell 7), or write a new one with Get-ZulipApiKey | Export-ZulipRc -Force.", path));
                    return;
                }

                ZulipRcSettings settings;
                try
                {
                    settings = ZulipRcFile.Read(text, p => FileSystemPath.Resolve(this, p), tls);
                }
                catch (FormatException e)
                {
                    WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"{where} is not a valid zuliprc: {e.Message}.", FixHint, path));
                    return;
                }

                Emit(settings, where, path);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>Where Import-ZulipRc looked, and the name the web app downloads the file as.</summary>
        private static string LookedAt()
        {
            var downloaded = ZulipRcFile.DownloadedPath;
            var hint = PrivateFile.KindOf(downloaded) == FileKind.Regular
                ? $" '{downloaded}' exists (the web app downloads the file as 'zuliprc', and zulip-terminal uses that name); name it with -Path, or rename it to '{ZulipRcFile.DefaultPath}' for every Zulip client to find."
                : $" The web app downloads the file as 'zuliprc' (no dot): rename it to '{ZulipRcFile.DefaultPath}' or name it with -Path.";
            return " Looked for all three of ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE, then ZULIP_CONFIG (not set), then that file." + hint;
        }

        private void Emit(ZulipRcSettings settings, string source, string? path)
        {
            Uri server;
            try
            {
                server = ServerAddress.Normalize(ZulipRcFile.NormalizeSite(settings.Site));
            }
            catch (Exception e) when (e is ZulipApiException || e is FormatException)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The site in {source} is not usable: {e.Message}", "Set site to the organization's URL, for example site=https://chat.example.com.", path));
                return;
            }

            if (settings.Insecure == true)
            {
                WriteWarning($"{source} turns certificate checking off (insecure=true) for {server}; anyone on the network path could read the key.");
            }

            if (AsPlainText)
            {
                WriteObject(settings.Key);
                return;
            }

            WriteObject(new ZulipApiKey(server, settings.Email, SecureStrings.ReadOnlyCopy(settings.Key), userId: null)
            {
                SkipCertificateCheck = settings.Insecure == true,
                CertificateBundle = settings.CertificateBundle,
                ClientCertificate = settings.ClientCertificate,
                ClientCertificateKey = settings.ClientCertificateKey,
                Source = path == null ? "Environment" : "File",
                SourcePath = path,
            });
        }
    }
}
