using System.Management.Automation;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// The cmdlets that act with the caller's key and emit a key (rotation, bot keys): the key object, or with
    /// -AsPlainText the key alone. A request that must not run twice says so in its RetrySafety.
    /// </summary>
    public abstract class ZulipKeyCmdlet : ZulipCallerCmdlet
    {
        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        /// <summary>Writes a key: the object, or with -AsPlainText the key alone.</summary>
        protected void EmitKey(ZulipApiKey key)
        {
            ServerSettingsCache.RememberServer(key.Server);
            if (AsPlainText)
            {
                WriteObject(key.Credential.GetNetworkCredential().Password);
            }
            else
            {
                WriteObject(key);
            }
        }
    }
}
