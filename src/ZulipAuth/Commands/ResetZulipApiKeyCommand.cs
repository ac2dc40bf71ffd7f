using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Reset-ZulipApiKey: regenerates the caller's own key (POST /api/v1/users/me/api_key/regenerate) and emits
    /// the new one; with -ZulipRcPath the stored file is updated in the same step. Sent at most once.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "ZulipApiKey", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ZulipApiKey), typeof(string))]
    public sealed class ResetZulipApiKeyCommand : ZulipKeyCmdlet
    {
        /// <summary>A zuliprc whose [api] key is replaced by the new key; its other sections and settings are kept.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ZulipRcPath { get; set; }

        protected override void ProcessRecord()
        {
            Uri? server = TargetServer();
            try
            {
                var (resolved, email, key) = Caller();
                server = resolved;
                string? path = ZulipRcPath == null ? null : FileSystemPath.Resolve(this, ZulipRcPath);
                if (path != null && !CanUpdate(path, email, server))
                {
                    return;
                }

                var target = $"{email} on {server}";
                var what = "Regenerate the Zulip API key of " + target + ". The current key stops working at once: every script and zuliprc that holds it breaks, and the account's mobile devices are logged out." +
                    (path == null ? string.Empty : $" The new key is written to '{path}'.");
                if (!ShouldProcess(what, what + " Continue?", "Reset-ZulipApiKey"))
                {
                    return;
                }

                WriteVerbose($"POST {ServerAddress.Endpoint(server, "api/v1/users/me/api_key/regenerate")} as '{email}'.");
                var newKey = Send("Regenerating the Zulip API key", (client, token) => client.RegenerateApiKeyAsync(server, email, key, token));
                var userId = ParameterSetName == InputObjectSet ? InputObject.UserId : null;
                var rotated = new ZulipApiKey(server, email, newKey, userId);

                // Emitted before the file is touched, so a failing file cannot lose the only copy of the new key.
                EmitKey(rotated);
                if (path != null)
                {
                    UpdateZulipRc(path, rotated);
                }
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }

        /// <summary>Checked before anything is sent: a file that cannot take the new key must not cost the old one.</summary>
        private bool CanUpdate(string path, string email, Uri server)
        {
            if (!File.Exists(path))
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigNotFound, $"There is no zuliprc at '{path}'; the key was not regenerated.", "Name an existing zuliprc of this account in -ZulipRcPath, or leave it out and pipe the new key to Export-ZulipRc.", path));
                return false;
            }

            try
            {
                ZulipRcKeyUpdate.ReplaceKey(File.ReadAllText(path), email, server, string.Empty);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigReadFailed, $"Could not read '{path}': {e.Message}; the key was not regenerated.", "Check that you may read and write the file, or name another one with -ZulipRcPath.", path, e));
            }
            catch (FormatException e)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.ConfigInvalid, $"'{path}' cannot take the new key: {e.Message}; the key was not regenerated.", "Name this account's zuliprc in -ZulipRcPath, or leave it out and pipe the new key to Export-ZulipRc.", path));
            }

            return false;
        }

        private void UpdateZulipRc(string path, ZulipApiKey rotated)
        {
            const string Lost = "The key WAS regenerated: the old key no longer works, and the new key is in this command's output (keep it, e.g. | Export-ZulipRc -Path <file> -Force).";
            byte[]? content = null;
            try
            {
                var text = File.ReadAllText(path);
                var updated = ZulipRcKeyUpdate.ReplaceKey(text, rotated.Email, rotated.Server, rotated.Credential.GetNetworkCredential().Password);
                content = new UTF8Encoding(false).GetBytes(updated);
                PrivateFile.Write(path, content, replace: true);
                WriteVerbose($"Replaced the key in the [api] section of {path}; its other settings and sections are unchanged.");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.RotatedButNotSaved, $"Could not update '{path}': {e.Message}.", Lost, path, e));
            }
            catch (FormatException e)
            {
                // The parser's reasons name line numbers and accounts, never a line's content.
                WriteError(ErrorRecords.Failure(ZulipErrorId.RotatedButNotSaved, $"'{path}' was not updated: {e.Message}.", Lost, path));
            }
            finally
            {
                if (content != null)
                {
                    Array.Clear(content, 0, content.Length);
                }
            }
        }
    }
}
