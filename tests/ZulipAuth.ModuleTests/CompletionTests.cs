using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Tests that change process-wide state (environment variables such as HOME and ZULIP_CONFIG) run here, one
/// at a time and never beside any other test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>
/// Tab completion of -Server, through TabExpansion2 as the console runs it: the site of the default zuliprc
/// (ZULIP_CONFIG, else $HOME/.zuliprc) and the servers used in the session, wildcard-matched, quoted when needed.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CompletionTests : ModuleTestBase
{
    private static readonly string[] Variables = { "HOME", "ZULIP_CONFIG" };

    private readonly Dictionary<string, string?> saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly string folder = Directory.CreateTempSubdirectory("zulipauth-completion-").FullName;

    public static IEnumerable<object[]> CmdletsWithServer() =>
        new[] { "Export-ZulipRc", "Get-ZulipApiKey", "Get-ZulipBotApiKey", "Get-ZulipServerSettings", "Reset-ZulipApiKey", "Reset-ZulipBotApiKey", "Test-ZulipApiKey" }.Select(c => new object[] { c });

    public override async Task DisposeAsync()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.Delete(folder, recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public void EveryExportedServerParameterHasTheCompleter()
    {
        var commands = Session.Run("Get-Command -Module ZulipAuth").Output.Select(o => (CommandInfo)o.BaseObject).Where(c => c.Parameters.ContainsKey("Server")).ToList();
        Assert.Equal(CmdletsWithServer().Select(c => (string)c[0]).OrderBy(n => n), commands.Select(c => c.Name).OrderBy(n => n));
        foreach (var command in commands)
        {
            var completer = Assert.Single(command.Parameters["Server"].Attributes.OfType<ArgumentCompleterAttribute>());
            Assert.Equal("ServerArgumentCompleter", completer.Type.Name);
        }
    }

    [Theory]
    [MemberData(nameof(CmdletsWithServer))]
    public void OffersTheSiteOfTheZuliprcNamedByZulipConfig(string cmdlet)
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", WriteZuliprc("named.zuliprc", "chat.example.com"));
        Environment.SetEnvironmentVariable("HOME", folder);

        Assert.Contains("https://chat.example.com", Complete($"{cmdlet} -Server "));
    }

    [Fact]
    public void OffersTheSiteOfTheZuliprcInHomeWhenZulipConfigIsUnset()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", null);
        Environment.SetEnvironmentVariable("HOME", folder);
        WriteZuliprc(".zuliprc", "https://home.example.org/");

        Assert.Equal(new[] { "https://home.example.org" }, Complete("Get-ZulipApiKey -Server https://home"));
    }

    [Fact]
    public void OffersTheServersUsedInTheSession()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", Path.Combine(folder, "none"));
        Assert.Empty(Session.Run("Get-ZulipServerSettings -Server $args[0] -SkipCertificateCheck", Https + "/api/v1").Errors);
        Assert.Empty(GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password)).Errors);

        var offered = Complete("Get-ZulipApiKey -Server 127.0.0.1:");
        Assert.Contains(Http, offered);
        Assert.Contains(Https, offered);
    }

    [Fact]
    public void CompletesThePositionalServerToo()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", WriteZuliprc("named.zuliprc", "chat.example.com"));

        Assert.Equal(new[] { "https://chat.example.com" }, Complete("Get-ZulipServerSettings https://chat"));
    }

    [Theory]
    [InlineData("*example*", "https://chat.example.com")]
    [InlineData("chat.ex", "https://chat.example.com")]
    [InlineData("HTTPS://CHAT", "https://chat.example.com")]
    [InlineData("'https://chat", "https://chat.example.com")]
    [InlineData("h?tps://chat.*.com", "https://chat.example.com")]
    [InlineData("nothing-like-it", null)]
    public void MatchesWhatWasTypedAsAWildcardWithOrWithoutTheScheme(string typed, string? expected)
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", WriteZuliprc("named.zuliprc", "chat.example.com"));

        Assert.Equal(expected == null ? Array.Empty<string>() : new[] { expected }, Complete("Get-ZulipApiKey -Server " + typed));
    }

    [Fact]
    public void ReadsTheBracketsOfAnIPv6AddressLiterally()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", WriteZuliprc("named.zuliprc", "http://[::1]:9991"));

        Assert.Equal(new[] { "http://[::1]:9991" }, Complete("Get-ZulipApiKey -Server http://[::1"));
    }

    [Fact]
    public void QuotesASiteThatPowerShellWouldOtherwiseSplit()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", WriteZuliprc("named.zuliprc", "https://chat.example.com/it's (odd)"));

        var match = Assert.Single(TabExpansion("Get-ZulipApiKey -Server https://chat.ex"));
        Assert.Equal("'https://chat.example.com/it''s (odd)'", match.CompletionText);
        Assert.Equal("https://chat.example.com/it's (odd)", match.ListItemText);
        Assert.Equal(CompletionResultType.ParameterValue, match.ResultType);
    }

    [Fact]
    public void OffersNothingWhenThereIsNoZuliprcAndNoMatchingServer()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", Path.Combine(folder, "missing"));
        Environment.SetEnvironmentVariable("HOME", folder);

        Assert.Empty(Complete("Get-ZulipApiKey -Server https://chat"));
    }

    [Fact]
    public void AnUnreadableZuliprcOffersNothingAndBreaksNothing()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", WriteRaw("broken.zuliprc", "site=https://before.any.section\n[api\n"));

        var result = Session.Run("(TabExpansion2 $args[0] $args[0].Length).CompletionMatches.Count", "Get-ZulipApiKey -Server https://before");
        Assert.Empty(result.Errors);
        Assert.Equal(0, (int)result.Output.Single().BaseObject);
    }

    private List<string> Complete(string line) => TabExpansion(line).Select(m => m.CompletionText).ToList();

    private List<CompletionResult> TabExpansion(string line)
    {
        var result = Session.Run("(TabExpansion2 $args[0] $args[0].Length).CompletionMatches", line);
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        return result.Output.Select(o => (CompletionResult)o.BaseObject).ToList();
    }

    private string WriteZuliprc(string name, string site) =>
        WriteRaw(name, $"[api]\nemail={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={site}\n");

    private string WriteRaw(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
