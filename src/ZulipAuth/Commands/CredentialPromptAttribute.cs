using System.Management.Automation;

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
        /// <summary>What the prompt asks for: a password by default; Test-ZulipApiKey asks for the API key.</summary>
        public string Message { get; set; } = "Enter your Zulip password (or LDAP password).";

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case PSCredential _:
                    return value;
                case string userName:
                    return Prompt(engineIntrinsics, userName);
                case null:
                    return Prompt(engineIntrinsics, string.Empty);
                default:
                    return inputData;
            }
        }

        private PSCredential Prompt(EngineIntrinsics engineIntrinsics, string userName)
        {
            var credential = engineIntrinsics?.Host?.UI?.PromptForCredential("Zulip login", Message, userName, string.Empty);
            return credential ?? throw new PSArgumentException("No credential was entered.", "Credential");
        }
    }
}
