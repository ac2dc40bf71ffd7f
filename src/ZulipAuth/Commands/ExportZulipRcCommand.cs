using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Export-ZulipRc: stores a key in the zuliprc format every Zulip client reads, in a file that only its
    /// owner can read from the moment it exists. Only ZulipAuth's own keys of the [api] section change; every
    /// other section, key, comment and line ending of an existing file stays, and the file is replaced in one step.
    /// </summary>
    [Cmdlet(VerbsData.Export, "ZulipRc", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportZulipRcCommand : PSCmdlet, IDisposable
    {
        private const string InputObjectSet = "InputObject";
        private const string InputObjectLiteralSet = "InputObjectLiteralPath";
        private const string CredentialSet = "Credential";
        private const string CredentialLiteralSet = "CredentialLiteralPath";
        private const string ExistsHint = "Use -Force to replace its [api] settings (other sections and keys are kept), or -Path to write another file.";

        // Paths as the file system compares them, so two spellings of one Windows path count as one file.
        private readonly HashSet<string> writtenThisRun = new HashSet<string>(
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectLiteralSet)]
        [ValidateNotNull]
        public ZulipApiKey InputObject { get; set; } = null!;

        /// <summary>
        /// The organization URL, by property name: a key read back with Import-Clixml (a deserialized object, not a
        /// ZulipApiKey) or any object with Server and Credential properties.
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialLiteralSet)]
        [Alias("Site", "Realm")]
        [UriToString]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerArgumentCompleter))]
        public string Server { get; set; } = string.Empty;

        /// <summary>UserName = the email, Password = the API key (what ZulipApiKey.Credential and Get-Secret give).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialLiteralSet)]
        [ValidateNotNull]
        public PSCredential Credential { get; set; } = null!;

        /// <summary>Where to write; $HOME/.zuliprc by default (what the Python bindings read). Wildcards must match one file.</summary>
        [Parameter(Position = 0, ParameterSetName = InputObjectSet)]
        [Parameter(Position = 0, ParameterSetName = CredentialSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = ZulipRcFile.DefaultPath;

        /// <summary>Where to write, taken exactly as typed ([ ] * ? are part of the name).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectLiteralSet)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialLiteralSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = string.Empty;

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Writes insecure=true: other Zulip clients reading the file will not check the server's certificate.</summary>
        [Parameter]
        public SwitchParameter Insecure { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        public void Dispose() => stopping.Dispose();

        protected override void StopProcessing() => stopping.Cancel();

        private bool IsLiteral => ParameterSetName == InputObjectLiteralSet || ParameterSetName == CredentialLiteralSet;

        private ZulipApiKey Key { get; set; } = null!;

        protected override void ProcessRecord()
        {
            var typed = IsLiteral ? LiteralPath : Path;
            string path;
            try
            {
                path = IsLiteral ? FileSystemPath.Resolve(this, LiteralPath) : FileSystemPath.ResolvePattern(this, Path);
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, typed));
                return;
            }

            if (InputObject != null && (ParameterSetName == InputObjectSet || ParameterSetName == InputObjectLiteralSet))
            {
                Key = InputObject;
            }
            else if (KeyFromCredential(path) is ZulipApiKey fromCredential)
            {
                Key = fromCredential;
            }
            else
            {
                return;
            }

            try
            {
                Export(path);
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, path));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Ctrl+C before anything was written.
            }
        }

        /// <summary>A key object for -Server and -Credential, or null after reporting why there is none.</summary>
        private ZulipApiKey? KeyFromCredential(string path)
        {
            Uri server;
            try
            {
                server = ServerAddress.Normalize(Server);
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, Server));
                return null;
            }

            if (string.IsNullOrEmpty(Credential.UserName) || Credential.Password == null || Credential.Password.Length == 0)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The credential for {server} has no {(string.IsNullOrEmpty(Credential.UserName) ? "user name (the email)" : "password (the API key)")}; nothing was written to '{path}'.", "Give a credential whose user name is the email and whose password is the API key, for example (Get-ZulipApiKey ...).Credential.", path));
                return null;
            }

            // A copy: the key object makes its SecureString read-only, and the caller's credential is not ours to change.
            return new ZulipApiKey(server, Credential.UserName, Credential.Password.Copy(), userId: null);
        }

        private void Export(string path)
        {
            if (!Force && writtenThisRun.Contains(path))
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigExists, $"'{path}' already received a key in this pipeline, and a zuliprc holds one [api] section.", ExistsHint, path));
                return;
            }

            var kind = PrivateFile.KindOf(path);
            if (kind == FileKind.Directory || kind == FileKind.Other)
            {
                var what = kind == FileKind.Directory ? "is a folder" : "exists and is not a regular file (a device, a FIFO, a socket or a broken symlink)";
                WriteError(ErrorRecords.Failure(ZulipErrorId.InvalidPath, $"'{path}' {what}; nothing was written.", "Name a regular file with -Path, for example ~/.zuliprc.", path));
                return;
            }

            if (!ShouldProcess(path, $"Write the Zulip API key of {Key.Email} on {Key.Server}"))
            {
                return;
            }

            var apiKey = Key.Credential.GetNetworkCredential().Password;
            var token = Key.ServiceToken == null ? null : new System.Net.NetworkCredential(string.Empty, Key.ServiceToken).Password;
            if (ZulipRcFile.HasLineBreak(Key.Email) || ZulipRcFile.HasLineBreak(apiKey) || (token != null && ZulipRcFile.HasLineBreak(token)))
            {
                // A line break would smuggle extra settings into the [api] section; the key itself is never echoed.
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The email or the key of {Key.Server} contains a line break, which a zuliprc cannot hold; nothing was written.", "Fetch the key again with Get-ZulipApiKey.", path));
                return;
            }

            string? existing = null;
            if (kind == FileKind.Regular)
            {
                var bytes = PrivateFile.ReadRegular(path, stopping.Token);
                try
                {
                    existing = ZulipRcFile.Decode(bytes);
                    if (!Force && ZulipRcFile.HasApiSection(existing))
                    {
                        WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigExists, $"'{path}' already exists with an [api] section and was left untouched.", ExistsHint, path));
                        return;
                    }
                }
                catch (FormatException e)
                {
                    WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"'{path}' exists but is not a zuliprc that Zulip clients read ({e.Message}), so it was left untouched.", "Fix or move the file, or choose another -Path.", path));
                    return;
                }
                finally
                {
                    Array.Clear(bytes, 0, bytes.Length);
                }
            }

            var values = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("email", Key.Email),
                new KeyValuePair<string, string>("key", apiKey),
                new KeyValuePair<string, string>("site", ZulipRcFile.SiteText(Key.Server)),
            };
            if (!string.IsNullOrEmpty(token))
            {
                // An outgoing-webhook bot's service token, after site, as the web app writes it.
                values.Add(new KeyValuePair<string, string>("token", token!));
            }

            AddPath(values, "cert_bundle", Key.CertificateBundle);
            AddPath(values, "client_cert", Key.ClientCertificate);
            AddPath(values, "client_cert_key", Key.ClientCertificateKey);
            if (Insecure)
            {
                WriteWarning($"'{path}' will say insecure=true: Zulip clients reading it will not check the certificate of {Key.Server}, so anyone on the network path could read the key.");
                values.Add(new KeyValuePair<string, string>("insecure", "true"));
            }
            else if (Key.SkipCertificateCheck)
            {
                WriteVerbose("The key was read with certificate checking off; the file does not say insecure=true unless -Insecure is given.");
            }

            string text;
            try
            {
                text = ZulipRcFile.Update(existing, values);
            }
            catch (FormatException e)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"'{path}' was left untouched: {e.Message}.", "Fix or move the file, or choose another -Path.", path));
                return;
            }

            var content = Encoding.UTF8.GetBytes(text);
            try
            {
                // An existing file without [api] is updated in place of itself; a new one must not appear meanwhile.
                PrivateFile.Write(path, content, replace: existing != null);
            }
            finally
            {
                Array.Clear(content, 0, content.Length);
            }

            writtenThisRun.Add(path);
            WriteVerbose($"Wrote the key of {DisplayText.Neutralize(Key.Email)} on {Key.Server} to {DisplayText.Neutralize(path)}.");
            if (PassThru)
            {
                // The provider's item, as Get-Item gives it: PSPath, Mode and the rest of what the file system shows.
                WriteObject(SessionState.InvokeProvider.Item.Get(new[] { path }, true, true), enumerateCollection: true);
            }
        }

        private static void AddPath(List<KeyValuePair<string, string>> values, string name, string? path)
        {
            if (!string.IsNullOrEmpty(path) && !ZulipRcFile.HasLineBreak(path!))
            {
                values.Add(new KeyValuePair<string, string>(name, path!));
            }
        }
    }
}
