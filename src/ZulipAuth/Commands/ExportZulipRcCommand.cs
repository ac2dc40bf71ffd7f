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
        private readonly HashSet<string> writtenThisRun = new HashSet<string>(StringComparer.Ordinal);

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
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            if (!Force && (writtenThisRun.Contains(path) || File.Exists(path)))
            {
                var why = writtenThisRun.Contains(path)
                    ? $"'{path}' already received a key in this pipeline, and a zuliprc holds one [api] section."
                    : $"'{path}' already exists and was left untouched.";
                WriteError(ErrorRecords.Create(new ZulipApiException(ZulipErrorId.ConfigExists, why + " Use -Force to replace it, or -Path to write another file."), path));
                return;
            }

            if (!ShouldProcess(path, $"Write the Zulip API key of {InputObject.Email} on {InputObject.Server}"))
            {
                return;
            }

            var content = Encoding.UTF8.GetBytes(ZulipRcFile.Format(InputObject.Email, InputObject.Credential.GetNetworkCredential().Password, InputObject.Server));
            try
            {
                PrivateFile.Write(path, content, replace: Force);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                var id = File.Exists(path) && !Force ? ZulipErrorId.ConfigExists : ZulipErrorId.ConfigWriteFailed;
                WriteError(new ErrorRecord(e, id, ErrorCategory.WriteError, path));
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
