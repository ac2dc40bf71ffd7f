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
    [Cmdlet(VerbsData.Export, "ZulipRc", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportZulipRcCommand : PSCmdlet, IDisposable
    {
        private const string ExistsHint = "Use -Force to replace its [api] settings (other sections and keys are kept), or -Path to write another file.";

        // Paths as the file system compares them, so two spellings of one Windows path count as one file.
        private readonly HashSet<string> writtenThisRun = new HashSet<string>(
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ZulipApiKey InputObject { get; set; } = null!;

        /// <summary>Where to write; $HOME/.zuliprc by default (what the Python bindings read).</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = ZulipRcFile.DefaultPath;

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Writes insecure=true: other Zulip clients reading the file will not check the server's certificate.</summary>
        [Parameter]
        public SwitchParameter Insecure { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        public void Dispose() => stopping.Dispose();

        protected override void StopProcessing() => stopping.Cancel();

        protected override void ProcessRecord()
        {
            string path;
            try
            {
                path = FileSystemPath.Resolve(this, Path);
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Create(e, Path));
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

            if (!ShouldProcess(path, $"Write the Zulip API key of {InputObject.Email} on {InputObject.Server}"))
            {
                return;
            }

            var apiKey = InputObject.Credential.GetNetworkCredential().Password;
            var token = InputObject.ServiceToken == null ? null : new System.Net.NetworkCredential(string.Empty, InputObject.ServiceToken).Password;
            if (ZulipRcFile.HasLineBreak(InputObject.Email) || ZulipRcFile.HasLineBreak(apiKey) || (token != null && ZulipRcFile.HasLineBreak(token)))
            {
                // A line break would smuggle extra settings into the [api] section; the key itself is never echoed.
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The email or the key of {InputObject.Server} contains a line break, which a zuliprc cannot hold; nothing was written.", "Fetch the key again with Get-ZulipApiKey.", path));
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
                new KeyValuePair<string, string>("email", InputObject.Email),
                new KeyValuePair<string, string>("key", apiKey),
                new KeyValuePair<string, string>("site", ZulipRcFile.SiteText(InputObject.Server)),
            };
            if (!string.IsNullOrEmpty(token))
            {
                // An outgoing-webhook bot's service token, after site, as the web app writes it.
                values.Add(new KeyValuePair<string, string>("token", token!));
            }

            AddPath(values, "cert_bundle", InputObject.CertificateBundle);
            AddPath(values, "client_cert", InputObject.ClientCertificate);
            AddPath(values, "client_cert_key", InputObject.ClientCertificateKey);
            if (Insecure)
            {
                WriteWarning($"'{path}' will say insecure=true: Zulip clients reading it will not check the certificate of {InputObject.Server}, so anyone on the network path could read the key.");
                values.Add(new KeyValuePair<string, string>("insecure", "true"));
            }
            else if (InputObject.SkipCertificateCheck)
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
            WriteVerbose($"Wrote the key of {DisplayText.Neutralize(InputObject.Email)} on {InputObject.Server} to {DisplayText.Neutralize(path)}.");
            if (PassThru)
            {
                WriteObject(new FileInfo(path));
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
