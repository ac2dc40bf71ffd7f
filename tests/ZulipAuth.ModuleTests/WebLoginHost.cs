using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A host whose person does the paste flow: at "Login token:" it opens the printed link with
/// <see cref="BrowserStandIn"/> and types the token the page shows; at "Zulip password:" it types
/// <see cref="Password"/>; at a choice it picks <see cref="Choice"/>. Records all host output.
/// </summary>
public sealed class WebLoginHost : PSHost
{
    private readonly PersonUI ui;

    public WebLoginHost() => ui = new PersonUI(this);

    public string? Password { get; set; }

    public int Choice { get; set; }

    /// <summary>Changes the token before it is typed (null: as the page shows it).</summary>
    public Func<string, string>? AlterToken { get; set; }

    /// <summary>Runs after the page was read and before the token is typed (to let it expire).</summary>
    public Action? BeforeTyping { get; set; }

    public List<string> ChoicesOffered { get; } = new();

    public string Written => ui.Written.ToString();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => "WebLoginHost";

    public override PSHostUserInterface UI => ui;

    public override Version Version => new(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication() { }

    public override void NotifyEndApplication() { }

    public override void SetShouldExit(int exitCode) { }

    private static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    private sealed class PersonUI(WebLoginHost owner) : PSHostUserInterface
    {
        public StringBuilder Written { get; } = new();

        public override PSHostRawUserInterface? RawUI => null;

        public override SecureString ReadLineAsSecureString()
        {
            var text = Written.ToString();
            if (text.EndsWith("Zulip password: ", StringComparison.Ordinal))
                return Secure(owner.Password ?? "");
            if (!text.EndsWith("Login token: ", StringComparison.Ordinal))
                throw new InvalidOperationException("Unexpected prompt.");
            var link = BrowserStandIn.DesktopLink().Matches(text).Last().Value;
            var (_, page) = BrowserStandIn.Follow(link);
            var token = BrowserStandIn.DesktopToken(page!);
            owner.BeforeTyping?.Invoke();
            return Secure(owner.AlterToken?.Invoke(token) ?? token);
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            owner.ChoicesOffered.AddRange(choices.Select(c => c.HelpMessage));
            return owner.Choice;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override string ReadLine() => throw new NotSupportedException();

        public override void Write(string value) => Written.Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Written.Append(value);

        public override void WriteLine(string value) => Written.Append(value + "\n");

        public override void WriteErrorLine(string value) => Written.Append(value + "\n");

        public override void WriteDebugLine(string message) => Written.Append(message + "\n");

        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override void WriteVerboseLine(string message) => Written.Append(message + "\n");

        public override void WriteWarningLine(string message) => Written.Append(message + "\n");
    }
}
