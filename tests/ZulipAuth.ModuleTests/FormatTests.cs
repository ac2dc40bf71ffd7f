using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Security;
using System.Text;
using Microsoft.PowerShell.Commands.Internal.Format;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// How the objects print at a prompt, rendered for real by PowerShell's formatter into a host, from objects
/// the cmdlets returned: the key's views show Server, Email and UserId and never the key, not even masked.
/// </summary>
public sealed class FormatTests : IAsyncLifetime
{
    private readonly RecordingHost host = new();
    private ZulipTestServer server = null!;
    private PsSession session = null!;

    public async Task InitializeAsync()
    {
        server = await ZulipTestServer.StartAsync();
        session = new PsSession(host, state =>
        {
            state.Commands.Add(new SessionStateCmdletEntry("Format-Table", typeof(FormatTableForTests), null));
            state.Commands.Add(new SessionStateCmdletEntry("Format-List", typeof(FormatListForTests), null));
        });
    }

    public async Task DisposeAsync()
    {
        session.Dispose();
        await server.DisposeAsync();
    }

    [Theory]
    [InlineData("$key | Out-Host")]
    [InlineData("$key | Format-Table | Out-Host")]
    [InlineData("$key, $key | Out-Host")]
    public void TheKeyTableShowsServerEmailAndUserIdAndNeverTheKey(string render)
    {
        var lines = Render(render);

        var header = lines.First(l => l.Trim().Length > 0);
        Assert.Equal(new[] { "Server", "Email", "UserId" }, header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = lines.SkipWhile(l => !l.StartsWith("---", StringComparison.Ordinal)).Skip(1).First();
        Assert.Equal(new[] { server.HttpUrl + "/", TestUsers.Iago.Email, TestUsers.Iago.UserId.ToString(CultureInfo.InvariantCulture) }, row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        AssertNoKey(lines);
    }

    [Fact]
    public void TheKeyListShowsServerEmailAndUserIdAndNeverTheKey()
    {
        var lines = Render("$key | Format-List | Out-Host");

        Assert.Equal(new[] { "Server", "Email", "UserId" }, ListNames(lines));
        AssertNoKey(lines);
    }

    [Fact]
    public void TheSettingsTableShowsTheFiveColumns()
    {
        var lines = Render("Get-ZulipServerSettings -Server $server | Out-Host");

        var header = lines.First(l => l.Trim().Length > 0);
        Assert.Equal(new[] { "RealmName", "RealmUrl", "ZulipVersion", "ZulipFeatureLevel", "PasswordAuthEnabled" }, header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = lines.SkipWhile(l => !l.StartsWith("---", StringComparison.Ordinal)).Skip(1).First();
        Assert.Equal(new[] { "Zulip", "Dev", server.HttpUrl + "/", "11.0", "400", "True" }, row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void TheSettingsListShowsEverySettingAUserLooksFor()
    {
        server.Behaviour.ExternalAuthenticationMethods = new[] { ExternalAuthMethod.GitHub() };
        var lines = Render("Get-ZulipServerSettings -Server $server | Format-List | Out-Host");

        Assert.Equal(
            new[]
            {
                "RealmName", "RealmUrl", "RealmIcon", "ZulipVersion", "ZulipFeatureLevel", "ZulipMergeBase", "PasswordAuthEnabled", "EmailAuthEnabled",
                "RequireEmailFormatUsernames", "AuthenticationMethods", "ExternalAuthenticationMethods", "WebPublicAccessEnabled", "PushNotificationsEnabled", "IsIncompatible",
            },
            ListNames(lines));
        Assert.Contains(lines, l => l.StartsWith("RealmName", StringComparison.Ordinal) && l.EndsWith(": Zulip Dev", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ExternalAuthenticationMethods", StringComparison.Ordinal) && l.Contains("GitHub", StringComparison.Ordinal));
    }

    [Fact]
    public void TheKeyTestTableFitsEightyColumnsAndTheListShowsEveryField()
    {
        var table = Render("Test-ZulipApiKey -InputObject $key -Detailed | Out-Host");
        var header = table.First(l => l.Trim().Length > 0);
        Assert.Equal(new[] { "Valid", "UserId", "Email", "Role", "Source" }, header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = table.SkipWhile(l => !l.StartsWith("---", StringComparison.Ordinal)).Skip(1).First();
        Assert.Equal(new[] { "True", TestUsers.Iago.UserId.ToString(CultureInfo.InvariantCulture), TestUsers.Iago.Email, "Administrator", "Object" }, row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.All(table, l => Assert.True(l.Length <= 80, l));

        var list = Render("Test-ZulipApiKey -InputObject $key -Detailed | Format-List | Out-Host");
        // Reason and SourcePath are empty for a valid key fetched from the server, so ListNames (name : value) skips them.
        Assert.Equal(new[] { "Valid", "Server", "Email", "DeliveryEmail", "UserId", "FullName", "IsBot", "Role", "ZulipVersion", "ZulipFeatureLevel", "Source" }, ListNames(list));
        Assert.Equal(new[] { "Reason", "SourcePath" }, list.Where(l => l.EndsWith(" :", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));
        AssertNoKey(table.Concat(list).ToList());
    }

    /// <summary>Fetches iago's key from the local server into $key, then renders <paramref name="script"/> as a console would.</summary>
    private List<string> Render(string script)
    {
        var fetch = session.RunWith(
            "param($Server, $Credential) $global:server = $Server; $global:key = Get-ZulipApiKey -Server $Server -Credential $Credential",
            new Hashtable { ["Server"] = server.HttpUrl, ["Credential"] = PsSession.Credential(TestUsers.Iago.Email, TestUsers.Iago.Password) });
        Assert.Empty(fetch.Errors);
        host.Clear();

        var result = session.Run(script);
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        // The header's colours (ANSI sequences) are the host's business, not the view's.
        var text = System.Text.RegularExpressions.Regex.Replace(host.Text, "\u001b\\[[0-9;]*m", string.Empty);
        Assert.False(string.IsNullOrWhiteSpace(text), "Nothing was rendered.");
        return text.Split('\n').Select(l => l.TrimEnd()).ToList();
    }

    private static List<string> ListNames(IEnumerable<string> lines) =>
        lines.Where(l => l.Contains(" : ", StringComparison.Ordinal) && !l.StartsWith(" ", StringComparison.Ordinal))
            .Select(l => l.Substring(0, l.IndexOf(" : ", StringComparison.Ordinal)).Trim())
            .ToList();

    private static void AssertNoKey(List<string> lines)
    {
        var text = string.Join("\n", lines);
        Assert.DoesNotContain(TestUsers.Iago.ApiKey, text);
        foreach (var hint in new[] { "ApiKey", "Credential", "SecureString", "***" })
        {
            Assert.DoesNotContain(hint, text);
        }
    }

    /// <summary>
    /// Format-Table and Format-List live in Microsoft.PowerShell.Utility, which the hosted engine does not
    /// have; their formatter does live in System.Management.Automation. These two are what Utility's own are:
    /// the outer command with the inner shape formatter set (an internal field, hence reflection).
    /// </summary>
    [Cmdlet(VerbsCommon.Format, "Table")]
    public sealed class FormatTableForTests : OuterFormatTableBase
    {
        public FormatTableForTests() => UseShape(this, "Table");
    }

    [Cmdlet(VerbsCommon.Format, "List")]
    public sealed class FormatListForTests : OuterFormatTableAndListBase
    {
        public FormatListForTests() => UseShape(this, "List");
    }

    private static void UseShape(FrontEndCommandBase command, string shape)
    {
        var engine = typeof(PSObject).Assembly;
        var shapeType = engine.GetType("Microsoft.PowerShell.Commands.Internal.Format.FormatShape", throwOnError: true)!;
        var innerType = engine.GetType("Microsoft.PowerShell.Commands.Internal.Format.InnerFormatShapeCommand", throwOnError: true)!;
        var inner = Activator.CreateInstance(innerType, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, new[] { Enum.Parse(shapeType, shape) }, CultureInfo.InvariantCulture);
        typeof(FrontEndCommandBase).GetField("implementation", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(command, inner);
    }

    /// <summary>A console of 120 columns that keeps what is written to it.</summary>
    private sealed class RecordingHost : PSHost
    {
        private readonly RecordingUI ui = new();

        public string Text => ui.Text.ToString();

        public void Clear() => ui.Text.Clear();

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

        public override Guid InstanceId { get; } = Guid.NewGuid();

        public override string Name => "FormatTests";

        public override PSHostUserInterface UI => ui;

        public override Version Version => new(1, 0);

        public override void EnterNestedPrompt() => throw new NotSupportedException();

        public override void ExitNestedPrompt() => throw new NotSupportedException();

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        public override void SetShouldExit(int exitCode)
        {
        }
    }

    private sealed class RecordingUI : PSHostUserInterface
    {
        public StringBuilder Text { get; } = new();

        public override PSHostRawUserInterface RawUI { get; } = new Console120();

        public override string ReadLine() => throw new NotSupportedException();

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();

        public override void Write(string value) => Text.Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Text.Append(value);

        public override void WriteLine(string value) => Text.Append(value).Append('\n');

        public override void WriteErrorLine(string value)
        {
        }

        public override void WriteDebugLine(string message)
        {
        }

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message)
        {
        }

        public override void WriteWarningLine(string message)
        {
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();
    }

    private sealed class Console120 : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; }

        public override ConsoleColor ForegroundColor { get; set; }

        public override Size BufferSize { get; set; } = new(120, 3000);

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; }

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new(120, 50);

        public override Size MaxWindowSize => new(120, 50);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; } = new(120, 50);

        public override string WindowTitle { get; set; } = string.Empty;

        public override void FlushInputBuffer()
        {
        }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) => throw new NotSupportedException();

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException();
    }
}
