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
                ZulipRcKeyUpdate.ReplaceKey(ReadZulipRc(path), email, server, string.Empty);
                return true;
            }
            catch (ZulipApiException e)
            {
                // Not a regular file, too large, not readable as other Zulip clients read it: nothing is sent.
                WriteError(ErrorRecords.Failure(e.ErrorId, $"{e.What ?? e.Message} The key was not regenerated.", e.Hint ?? "Name this account's zuliprc in -ZulipRcPath.", path));
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

        /// <summary>The zuliprc's text, read as Import-ZulipRc reads it: a regular file, bounded, in UTF-8 without BOM.</summary>
        private string ReadZulipRc(string path)
        {
            var bytes = PrivateFile.ReadRegular(path, CancelToken);
            try
            {
                return ZulipRcFile.Decode(bytes);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        private void UpdateZulipRc(string path, ZulipApiKey rotated)
        {
            const string Keep = "The old key no longer works: keep the new key from this command's output (for example | Export-ZulipRc -Path <file> -Force).";
            byte[]? content = null;
            try
            {
                var text = ReadZulipRc(path);
                var updated = ZulipRcKeyUpdate.ReplaceKey(text, rotated.Email, rotated.Server, rotated.Credential.GetNetworkCredential().Password);
                content = new UTF8Encoding(false).GetBytes(updated);
                PrivateFile.Write(path, content, replace: true);
                WriteVerbose($"Replaced the key in the [api] section of {path}; its other settings and sections are unchanged.");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.RotatedButNotSaved, $"The key WAS regenerated, but '{path}' could not be updated: {e.Message}.", Keep, path, e));
            }
            catch (ZulipApiException e)
            {
                WriteError(ErrorRecords.Failure(ZulipErrorId.RotatedButNotSaved, $"The key WAS regenerated, but '{path}' could not be updated: {e.What ?? e.Message}", Keep, path));
            }
            catch (FormatException e)
            {
                // The parser's reasons name line numbers and accounts, never a line's content.
                WriteError(ErrorRecords.Failure(ZulipErrorId.RotatedButNotSaved, $"The key WAS regenerated, but '{path}' was not updated: {e.Message}.", Keep, path));
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
