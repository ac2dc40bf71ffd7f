using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Security;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// What [Credential()] does (a user name alone prompts for the password, <c>-Credential iago@zulip.com</c>),
    /// but it leaves any other object alone. PowerShell's own attribute throws on an object that is neither a
    /// credential nor a string, and since -Credential also binds from the pipeline by value, that throw would
    /// stop a piped object with a Credential property from ever binding by property name.
    /// </summary>
    public sealed class CredentialPromptAttribute : ArgumentTransformationAttribute
    {
        // Credentials that stand for "ask later": the user name typed, and no secret yet.
        private static readonly ConditionalWeakTable<PSCredential, object> Pending = new ConditionalWeakTable<PSCredential, object>();

        /// <summary>What the prompt asks for: a password by default; Test-ZulipApiKey asks for the API key.</summary>
        public string Message { get; set; } = "Enter your Zulip password (or LDAP password).";

        /// <summary>
        /// Leaves the prompt to the cmdlet (<see cref="Complete"/>), which knows the server by then: while a
        /// parameter is transformed, the other parameters of the command are out of reach, so a prompt shown
        /// here could not say which server the password is for.
        /// </summary>
        public bool PromptInCmdlet { get; set; }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case PSCredential _:
                    return value;
                case string userName:
                    return PromptInCmdlet ? Later(userName) : Prompt(engineIntrinsics, userName);
                case null:
                    return PromptInCmdlet ? Later(string.Empty) : Prompt(engineIntrinsics, string.Empty);
                default:
                    return inputData;
            }
        }

        /// <summary><see cref="Complete"/> for a credential whose password is an API key of <paramref name="server"/>.</summary>
        internal static PSCredential CompleteApiKey(PSCmdlet cmdlet, PSCredential credential, System.Uri server) =>
            Complete(cmdlet, credential, $"API key of {(string.IsNullOrEmpty(credential.UserName) ? "your Zulip account" : credential.UserName)} on {server.Authority} (the web app shows it under Personal settings > Account & privacy > API key).");

        /// <summary>
        /// <paramref name="credential"/> itself when it holds a secret; when it stands for a user name alone, what
        /// the user types at a prompt that says <paramref name="message"/>. Throws ZulipCredentialNotEntered when no
        /// credential comes back (the prompt was cancelled, or the host cannot prompt).
        /// </summary>
        internal static PSCredential Complete(PSCmdlet cmdlet, PSCredential credential, string message)
        {
            if (!Pending.TryGetValue(credential, out _))
            {
                return credential;
            }

            PSCredential? entered;
            try
            {
                entered = cmdlet.Host?.UI?.PromptForCredential("Zulip login", message, credential.UserName, string.Empty);
            }
            catch (System.Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException || e is System.NotImplementedException)
            {
                // A non-interactive host (pwsh -NonInteractive, a service) cannot ask.
                throw ZulipApiException.WithHint(ZulipErrorId.CredentialNotEntered, $"No credential was given for '{credential.UserName}', and this host cannot prompt for one: {e.Message}", "Pass a PSCredential to -Credential (Get-Credential, Get-Secret) instead of a user name.", e);
            }

            return entered ?? throw ZulipApiException.WithHint(ZulipErrorId.CredentialNotEntered, "No credential was entered at the prompt; nothing was sent.", "Run the command again and enter the credential, or pass a PSCredential to -Credential.");
        }

        private static PSCredential Later(string userName)
        {
            var empty = new SecureString();
            empty.MakeReadOnly();
            var credential = new PSCredential(userName, empty);
            Pending.Add(credential, new object());
            return credential;
        }

        private PSCredential Prompt(EngineIntrinsics engineIntrinsics, string userName)
        {
            var credential = engineIntrinsics?.Host?.UI?.PromptForCredential("Zulip login", Message, userName, string.Empty);
            return credential ?? throw new PSArgumentException("No credential was entered.", "Credential");
        }
    }
}
