using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A PowerShell host for tests: answers credential prompts with a prepared credential and records what was
/// asked, and records everything written to the host (where -WhatIf and -Confirm messages go), so those can be
/// checked and scanned for secrets too.
/// </summary>
public sealed class RecordingHost : PSHost
{
    private readonly RecordingUI ui;

    public RecordingHost(PSCredential? answer = null) => ui = new RecordingUI(answer);

    /// <summary>(caption, message, userName) of every credential prompt.</summary>
    public List<(string Caption, string Message, string UserName)> CredentialPrompts => ui.CredentialPrompts;

    /// <summary>Everything written to the host, in order.</summary>
    public string Written => ui.Written.ToString();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => "RecordingHost";

    public override PSHostUserInterface UI => ui;

    public override Version Version => new(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication() { }

    public override void NotifyEndApplication() { }

    public override void SetShouldExit(int exitCode) { }

    private sealed class RecordingUI(PSCredential? answer) : PSHostUserInterface
    {
        public List<(string, string, string)> CredentialPrompts { get; } = new();

        public StringBuilder Written { get; } = new();

        public override PSHostRawUserInterface? RawUI => null;

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
        {
            lock (Written)
            {
                CredentialPrompts.Add((caption, message, userName));
            }

            return answer is null ? null! : new PSCredential(userName, answer.Password);
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            PromptForCredential(caption, message, userName, targetName);

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException("no interactive prompts in tests");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException("no interactive prompts in tests");

        public override string ReadLine() => throw new NotSupportedException("no interactive input in tests");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("no interactive input in tests");

        public override void Write(string value) => Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);

        public override void WriteLine(string value) => Append(value + "\n");

        public override void WriteErrorLine(string value) => Append(value + "\n");

        public override void WriteDebugLine(string message) => Append(message + "\n");

        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override void WriteVerboseLine(string message) => Append(message + "\n");

        public override void WriteWarningLine(string message) => Append(message + "\n");

        private void Append(string text)
        {
            lock (Written)
            {
                Written.Append(text);
            }
        }
    }
}
