using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Export-ZulipRc: stores a key in the zuliprc format every Zulip client reads, in a file that only its
    /// owner can read from the moment it exists.
    /// </summary>
    [Cmdlet(VerbsData.Export, "ZulipRc", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportZulipRcCommand : PSCmdlet
    {
        // Paths as the file system compares them, so two spellings of one Windows path count as one file.
        private readonly HashSet<string> writtenThisRun = new HashSet<string>(
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ZulipApiKey InputObject { get; set; } = null!;

        /// <summary>Where to write; $HOME/.zuliprc by default (what the Python bindings read).</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = ZulipRcFile.DefaultPath;

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

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

            if (!Force && (writtenThisRun.Contains(path) || File.Exists(path)))
            {
                var why = writtenThisRun.Contains(path)
                    ? $"'{path}' already received a key in this pipeline, and a zuliprc holds one [api] section."
                    : $"'{path}' already exists and was left untouched.";
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigExists, why, "Use -Force to replace it, or -Path to write another file.", path));
                return;
            }

            if (!ShouldProcess(path, $"Write the Zulip API key of {InputObject.Email} on {InputObject.Server}"))
            {
                return;
            }

            var token = InputObject.ServiceToken == null ? null : new System.Net.NetworkCredential(string.Empty, InputObject.ServiceToken).Password;
            if (ZulipRcFile.HasLineBreak(InputObject.Email) || ZulipRcFile.HasLineBreak(InputObject.Credential.GetNetworkCredential().Password) || (token != null && ZulipRcFile.HasLineBreak(token)))
            {
                // A line break would smuggle extra settings into the [api] section; the key itself is never echoed.
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"The email or the key of {InputObject.Server} contains a line break, which a zuliprc cannot hold; nothing was written.", "Fetch the key again with Get-ZulipApiKey.", path));
                return;
            }

            var content = Encoding.UTF8.GetBytes(ZulipRcFile.Format(InputObject.Email, InputObject.Credential.GetNetworkCredential().Password, InputObject.Server, token));
            try
            {
                PrivateFile.Write(path, content, replace: Force);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // The file system's reason names the path and the cause, never the content.
                if (File.Exists(path) && !Force)
                {
                    WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigExists, $"'{path}' was created by someone else while the key was being written, and was left untouched.", "Use -Force to replace it, or -Path to write another file.", path, e));
                }
                else
                {
                    WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigWriteFailed, $"Could not write '{path}': {e.Message}", "Check that the folder exists or can be created, and that you may write there; or choose another -Path.", path, e));
                }

                return;
            }
            finally
            {
                Array.Clear(content, 0, content.Length);
            }

            writtenThisRun.Add(path);
            WriteVerbose($"Wrote the key of {InputObject.Email} on {InputObject.Server} to {path}.");
            if (PassThru)
            {
                WriteObject(new FileInfo(path));
            }
        }

    }
}
