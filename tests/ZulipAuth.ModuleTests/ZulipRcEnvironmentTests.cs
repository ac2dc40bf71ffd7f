using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Tests that change what the whole process shares: environment variables (ZULIP_*, HOME), the umask and the
/// current directory. xunit runs a collection with DisableParallelization after all the others and alone, so
/// no other test sees these changes; each test restores what it changed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessStateCollection
{
    public const string Name = "Process-wide state";
}

[Collection(ProcessStateCollection.Name)]
public class ZulipRcEnvironmentTests : ModuleTestBase
{
    private static readonly string[] Variables = { "ZULIP_EMAIL", "ZULIP_API_KEY", "ZULIP_SITE", "ZULIP_CONFIG", "HOME", "ZULIP_CERT", "ZULIP_CERT_KEY", "ZULIP_CERT_BUNDLE", "ZULIP_ALLOW_INSECURE" };

    private readonly Dictionary<string, string?> saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly string savedDirectory = Environment.CurrentDirectory;
    private readonly TempDirectory dir = new();
    private readonly TempDirectory home = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Environment.SetEnvironmentVariable("HOME", home.Path);
    }

    public override async Task DisposeAsync()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Environment.CurrentDirectory = savedDirectory;
        dir.Dispose();
        home.Dispose();
        await base.DisposeAsync();
    }

    private static string Rc(string email, string key, string site) => $"[api]\nemail={email}\nkey={key}\nsite={site}\n";

    private PsResult Import(string extra = "") => Session.Run("Import-ZulipRc " + extra);

    private static string EmailOf(PsResult result)
    {
        Assert.Empty(result.Errors);
        return (string)Assert.Single(result.Output).Properties["Email"].Value;
    }

    private static string KeyOf(PSObject key) => new NetworkCredential(string.Empty, (SecureString)key.Properties["ApiKey"].Value).Password;

    private void SetZulipVariables(string? email, string? key, string? site)
    {
        Environment.SetEnvironmentVariable("ZULIP_EMAIL", email);
        Environment.SetEnvironmentVariable("ZULIP_API_KEY", key);
        Environment.SetEnvironmentVariable("ZULIP_SITE", site);
    }

    // ---------------------------------------------------------------------------------------------- Import

    [Fact]
    public void AllThreeVariablesWinOverZulipConfigAndHome()
    {
        FileSystemProbe.WriteRc(dir.File("config"), Rc("config@example.com", "K-config", "chat.example.com"));
        FileSystemProbe.WriteRc(Path.Combine(home.Path, ".zuliprc"), Rc("home@example.com", "K-home", "chat.example.com"));
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", dir.File("config"));
        SetZulipVariables(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey, $"localhost:{Server.HttpPort}/");

        var result = Session.Run("Import-ZulipRc | Test-ZulipApiKey; Import-ZulipRc");

        Assert.Empty(result.Errors);
        Assert.Equal(true, result.Output[0].BaseObject);
        var key = result.Output[1];
        Assert.Equal(TestUsers.Hamlet.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Hamlet.ApiKey, KeyOf(key));
        Assert.Equal(new Uri($"http://localhost:{Server.HttpPort}/"), key.Properties["Server"].Value);
        Assert.Contains(result.Verbose, v => v.Contains("environment", StringComparison.Ordinal));
        Assert.Empty(result.Warnings);
        result.AssertNoSecret(TestUsers.Hamlet.ApiKey);
    }

    [Theory]
    [InlineData("a@example.com", null, null, "ZULIP_API_KEY, ZULIP_SITE")]
    [InlineData(null, "K-env", null, "ZULIP_EMAIL, ZULIP_SITE")]
    [InlineData("a@example.com", "K-env", null, "ZULIP_SITE")]
    [InlineData(null, "K-env", "chat.example.com", "ZULIP_EMAIL")]
    public void SomeVariablesAloneAreIgnoredWithAWarningAndTheFileIsRead(string? email, string? key, string? site, string missing)
    {
        FileSystemProbe.WriteRc(dir.File("config"), Rc("config@example.com", "K-config", "chat.example.com"));
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", dir.File("config"));
        SetZulipVariables(email, key, site);

        var result = Import();

        Assert.Equal("config@example.com", EmailOf(result));
        Assert.Equal("K-config", KeyOf(result.Output[0]));
        var warning = Assert.Single(result.Warnings);
        Assert.Contains(missing, warning);
        Assert.DoesNotContain("K-env", warning);
    }

    [Fact]
    public void ZulipConfigNamesTheFileAndWinsOverHome()
    {
        FileSystemProbe.WriteRc(dir.File("config"), Rc("config@example.com", "K-config", "chat.example.com"));
        FileSystemProbe.WriteRc(Path.Combine(home.Path, ".zuliprc"), Rc("home@example.com", "K-home", "chat.example.com"));
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", dir.File("config"));

        Assert.Equal("config@example.com", EmailOf(Import()));
    }

    [Fact]
    public void ARelativeZulipConfigResolvesAgainstThePowerShellLocation()
    {
        FileSystemProbe.WriteRc(dir.File("config"), Rc("config@example.com", "K-config", "chat.example.com"));
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", "config");

        var result = Session.Run("$ExecutionContext.SessionState.Path.SetLocation($args[0]) > $null; [Environment]::CurrentDirectory = $args[1]; Import-ZulipRc", dir.Path, home.Path);

        Assert.Equal("config@example.com", EmailOf(result));
    }

    [Fact]
    public void AMissingZulipConfigFileIsNotFoundAndSaysWhoNamedIt()
    {
        Environment.SetEnvironmentVariable("ZULIP_CONFIG", dir.File("gone"));
        FileSystemProbe.WriteRc(Path.Combine(home.Path, ".zuliprc"), Rc("home@example.com", "K-home", "chat.example.com"));

        var error = Import().SingleError();

        AssertError(error, "ZulipConfigNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains(dir.File("gone"), error.Exception.Message);
        Assert.Contains("ZULIP_CONFIG", error.Exception.Message);
        Assert.Equal(dir.File("gone"), error.TargetObject);
    }

    [Fact]
    public void WithoutVariablesTheFileInHomeIsRead()
    {
        FileSystemProbe.WriteRc(Path.Combine(home.Path, ".zuliprc"), Rc("home@example.com", "K-home", "chat.example.com"));

        Assert.Equal("home@example.com", EmailOf(Import()));
    }

    [Fact]
    public void WithNothingAnywhereTheDefaultPathIsNotFound()
    {
        var error = Import().SingleError();

        AssertError(error, "ZulipConfigNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains(Path.Combine(home.Path, ".zuliprc"), error.Exception.Message);
    }

    [Fact]
    public void TheNotFoundErrorNamesThePlacesLookedAndTheDownloadedName()
    {
        FileSystemProbe.WriteRc(Path.Combine(home.Path, "zuliprc"), Rc("home@example.com", "K-home", "chat.example.com"));

        var error = Import().SingleError();

        AssertError(error, "ZulipConfigNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains("ZULIP_CONFIG", error.Exception.Message);
        Assert.Contains(Path.Combine(home.Path, "zuliprc") + "' exists", error.Exception.Message);
    }

    [Fact]
    public void TheTlsVariablesWinOverTheFileOneByOne()
    {
        var bundle = Path.Combine(home.Path, "env-ca.pem");
        File.WriteAllText(bundle, "x");
        FileSystemProbe.WriteRc(Path.Combine(home.Path, ".zuliprc"), Rc("home@example.com", "K-home", "chat.example.com") + "insecure=true\ncert_bundle=/nonexistent.pem\n");
        Environment.SetEnvironmentVariable("ZULIP_ALLOW_INSECURE", "false");
        Environment.SetEnvironmentVariable("ZULIP_CERT_BUNDLE", bundle);

        var result = Import();

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(false, key.Properties["SkipCertificateCheck"].Value);
        Assert.Equal(bundle, key.Properties["CertificateBundle"].Value);
        Environment.SetEnvironmentVariable("ZULIP_ALLOW_INSECURE", "sometimes");
        AssertError(Import().SingleError(), "ZulipConfigInvalid", ErrorCategory.InvalidData);
    }

    [Fact]
    public void TheCompleterDoesNotBlockOnAFifoZuliprc()
    {
        var fifo = Path.Combine(home.Path, ".zuliprc");
        Assert.Equal(0, mkfifo(fifo, Convert.ToInt32("600", 8)));
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (shell, pending) = Session.Begin("(TabExpansion2 'Get-ZulipApiKey -Server ' 24).CompletionMatches.Count", new System.Collections.Hashtable());
            using (shell)
            {
                Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)), "completion blocked on a FIFO ~/.zuliprc");
                shell.EndInvoke(pending);
            }

            Assert.True(clock.ElapsedMilliseconds < 5000);
        }
        finally
        {
            var fd = open(fifo, 0x1 | 0x800);
            if (fd >= 0)
            {
                close(fd);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [Fact]
    public void PathWinsOverTheVariables()
    {
        FileSystemProbe.WriteRc(dir.File("given"), Rc("given@example.com", "K-given", "chat.example.com"));
        SetZulipVariables("env@example.com", "K-env", "chat.example.com");

        Assert.Equal("given@example.com", EmailOf(Import("-Path " + dir.File("given"))));
    }

    [Fact]
    public void AnUnusableZulipSiteIsConfigInvalidNamingTheVariable()
    {
        SetZulipVariables("env@example.com", "CanaryEnvKeyXXXXXXXXXXXXXXXXXXXX", "zulip://chat.example.com");

        var result = Import();

        var error = result.SingleError();
        AssertError(error, "ZulipConfigInvalid", ErrorCategory.InvalidData);
        Assert.Contains("ZULIP_SITE", error.Exception.Message);
        result.AssertNoSecret("CanaryEnvKeyXXXXXXXXXXXXXXXXXXXX");
    }

    // ---------------------------------------------------------------------------------------------- Export

    [Fact]
    public void ExportWritesHomeZuliprcByDefault()
    {
        var result = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C | Export-ZulipRc -PassThru",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) });

        Assert.Empty(result.Errors);
        var path = Path.Combine(home.Path, ".zuliprc");
        Assert.Equal(path, Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject).FullName);
        Assert.Equal($"[api]\nemail={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={Http}\n", File.ReadAllText(path));
        Assert.Equal("600", FileSystemProbe.Mode(path));
        Assert.Equal(TestUsers.Iago.Email, EmailOf(Import()));
    }

    [Fact]
    public void RelativePathsResolveAgainstThePowerShellLocationNotTheProcessDirectory()
    {
        // PowerShell 7 moves the process directory along with Set-Location, but only for the runspace that moved
        // last; here it is put elsewhere on purpose, as another runspace (or Windows PowerShell) leaves it.
        var key = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) }).Output.Single();

        var result = Session.RunWith(
            "param($Key, $Dir, $Elsewhere) $ExecutionContext.SessionState.Path.SetLocation($Dir) > $null; [Environment]::CurrentDirectory = $Elsewhere; " +
            "$Key | Export-ZulipRc -Path sub/zuliprc -PassThru; Import-ZulipRc -Path ./sub/zuliprc",
            new Hashtable { ["Key"] = key, ["Dir"] = dir.Path, ["Elsewhere"] = home.Path });

        Assert.Empty(result.Errors);
        Assert.Equal(home.Path, Environment.CurrentDirectory);
        Assert.Equal(dir.File("sub/zuliprc"), Assert.IsType<FileInfo>(result.Output[0].BaseObject).FullName);
        Assert.Equal(TestUsers.Iago.Email, result.Output[1].Properties["Email"].Value);
        Assert.False(Directory.Exists(Path.Combine(home.Path, "sub")));
        Assert.Equal("600", FileSystemProbe.Mode(dir.File("sub/zuliprc")));
    }

    [Fact]
    public void TheFileIs600EvenWhenTheUmaskLetsEverythingThrough()
    {
        // With umask 000 a file created with the default mode would be 666; only a file created with 0600 by
        // open(2) itself comes out 600, both when new and when replaced with -Force.
        var key = Session.RunWith("param($S, $C) Get-ZulipApiKey -Server $S -Credential $C",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password) }).Output.Single();
        var path = dir.File("zuliprc");
        PsResult created, replaced;
        string probe;
        var previous = FileSystemProbe.SetUmask(0);
        try
        {
            created = Session.RunWith("param($Key, $P) $Key | Export-ZulipRc -Path $P", new Hashtable { ["Key"] = key, ["P"] = path });
            var createdMode = FileSystemProbe.Mode(path);
            replaced = Session.RunWith("param($Key, $P) $Key | Export-ZulipRc -Path $P -Force", new Hashtable { ["Key"] = key, ["P"] = path });
            Assert.Equal("600", createdMode);

            // The umask really is 000 here: an ordinary file comes out 666.
            probe = dir.File("probe");
            File.WriteAllText(probe, "x");
        }
        finally
        {
            FileSystemProbe.SetUmask(previous);
        }

        Assert.Equal("666", FileSystemProbe.Mode(probe));
        Assert.Empty(created.Errors);
        Assert.Empty(replaced.Errors);
        Assert.Equal("600", FileSystemProbe.Mode(path));
    }
}
