using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Export-ZulipRc and Import-ZulipRc with explicit paths: the file Zulip's tools read, private from the moment it
/// exists (checked with stat(1) and inotify, not with the module's code), and read the way configparser reads it.
/// The tests that change process-wide state (environment variables, umask) are in ZulipRcEnvironmentTests.
/// </summary>
public class ZulipRcTests : ModuleTestBase, IDisposable
{
    private const string CanaryKey = "CanaryKeyQ9zXXXXXXXXXXXXXXXXXXXX";

    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private PSObject FetchKey(string email = TestUsers.Iago.Email, string password = TestUsers.Iago.Password)
    {
        var result = GetKey(Http, Cred(email, password));
        Assert.Empty(result.Errors);
        return Assert.Single(result.Output);
    }

    private PsResult Export(object key, string path, string extra = "") =>
        Session.RunWith($"param($Key, $Path) $Key | Export-ZulipRc -Path $Path {extra}", new Hashtable { ["Key"] = key, ["Path"] = path });

    private PsResult Import(string path) => Session.Run("Import-ZulipRc -Path $args[0]", path);

    private static string Rc(string email, string key, string site) => $"[api]\nemail={email}\nkey={key}\nsite={site}\n";

    private string WriteRc(string name, string text)
    {
        var path = dir.File(name);
        FileSystemProbe.WriteRc(path, text);
        return path;
    }

    /// <summary>inotify's IN_ACCESS, IN_CLOSE_NOWRITE and IN_OPEN: the file was read, nothing else.</summary>
    private static bool IsReadOnly(uint mask) => (mask & ~(0x001u | 0x010u | 0x020u | 0x40000000u)) == 0;

    private static string KeyOf(PSObject key) => new NetworkCredential(string.Empty, (SecureString)key.Properties["ApiKey"].Value).Password;

    // ---------------------------------------------------------------------------------------------- Export

    [Theory]
    [InlineData("iago@zulip.com\nsite=https://evil.example", "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv")]
    [InlineData("iago@zulip.com", "CanaryKeyQ9z\r\nsite=https://evil.example")]
    public void AnEmailOrKeyWithALineBreakIsRefusedAndNothingIsWritten(string email, string key)
    {
        var path = dir.File("zuliprc");
        var result = Session.RunWith(
            "param($Email, $Key, $Path) $k = [ZulipAuth.ZulipApiKey]::new([uri]'https://chat.example.com/', $Email, $Key, $null); $k | Export-ZulipRc -Path $Path",
            new Hashtable { ["Email"] = email, ["Key"] = Cred("unused", key).Password, ["Path"] = path });

        AssertError(result.SingleError(), "ZulipConfigInvalid", ErrorCategory.InvalidData);
        Assert.False(File.Exists(path));
        result.AssertNoSecret("CanaryKeyQ9z");
    }

    [Fact]
    public void FetchExportImportTestRoundTrips()
    {
        var path = dir.File("zuliprc");

        var result = Session.RunWith(
            "param($S, $C, $P) Get-ZulipApiKey -Server $S -Credential $C | Export-ZulipRc -Path $P; Import-ZulipRc -Path $P | Test-ZulipApiKey",
            new Hashtable { ["S"] = Http, ["C"] = Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), ["P"] = path });

        Assert.Empty(result.Errors);
        Assert.Equal(true, Assert.Single(result.Output).BaseObject);
        Assert.Equal(TestUsers.Iago.Email, Assert.Single(Server.Requests, r => r.Path == "/api/v1/users/me").BasicAuthUser);
        result.AssertNoSecret(TestUsers.Iago.Password, TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void TheFileIsExactlyWhatTheWebAppOffersUtf8WithoutBom()
    {
        var path = dir.File("zuliprc");

        var result = Export(FetchKey(), path);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        var expected = Encoding.UTF8.GetBytes($"[api]\nemail=iago@zulip.com\nkey={TestUsers.Iago.ApiKey}\nsite=http://127.0.0.1:{Server.HttpPort}\n");
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Contains(result.Verbose, v => v.Contains(path, StringComparison.Ordinal));
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void AnHttpsSiteIsWrittenAsSchemeAndHostOnly()
    {
        var source = WriteRc("in", Rc("iago@chat.example.com", CanaryKey, "chat.example.com/"));
        var target = dir.File("out");

        var result = Session.Run("Import-ZulipRc -Path $args[0] | Export-ZulipRc -Path $args[1]", source, target);

        Assert.Empty(result.Errors);
        Assert.Equal($"[api]\nemail=iago@chat.example.com\nkey={CanaryKey}\nsite=https://chat.example.com\n", File.ReadAllText(target));
        result.AssertNoSecret(CanaryKey);
    }

    [Fact]
    public void TheFileIsReadableByItsOwnerOnly()
    {
        var path = dir.File("zuliprc");

        Export(FetchKey(), path);

        Assert.Equal("600", FileSystemProbe.Mode(path));
    }

    [Fact]
    public void TheFileIsCreatedPrivateAndNeverChmodded()
    {
        // A file created with the default mode and chmod-ed afterwards ends up 600 too, but was readable by others
        // in between; inotify reports every chmod as IN_ATTRIB, so none may appear.
        var path = dir.File("zuliprc");
        var key = FetchKey();
        using var watch = new DirectoryWatch(dir.Path);

        Export(key, path);

        // The content is written to a private temporary name and the file appears under its own name only
        // when whole (readers never see it empty), so the creation and the write are on the temporary name.
        var events = watch.Read();
        Assert.DoesNotContain(events, e => (e.Mask & DirectoryWatch.InAttrib) != 0);
        var temporary = Assert.Single(events, e => (e.Mask & DirectoryWatch.InCreate) != 0 && e.Name != "zuliprc").Name;
        Assert.Contains(events, e => e.Name == temporary && (e.Mask & DirectoryWatch.InCloseWrite) != 0);
        Assert.Contains(events, e => e.Name == "zuliprc" && (e.Mask & (DirectoryWatch.InMovedTo | DirectoryWatch.InCreate)) != 0);
        Assert.DoesNotContain(events, e => e.Name == "zuliprc" && (e.Mask & (DirectoryWatch.InModify | DirectoryWatch.InCloseWrite)) != 0);
        Assert.Equal(new[] { path }, Directory.GetFileSystemEntries(dir.Path));
        Assert.Equal("600", FileSystemProbe.Mode(path));
    }

    [Fact]
    public void AnExistingFileIsRefusedAndLeftUntouched()
    {
        var path = WriteRc("zuliprc", Rc("old@zulip.com", "OldKey", "https://old.example.com"));
        FileSystemProbe.SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var content = File.ReadAllBytes(path);
        var before = (FileSystemProbe.Inode(path), File.GetLastWriteTimeUtc(path));
        var key = FetchKey();
        using var watch = new DirectoryWatch(dir.Path);

        var result = Export(key, path, "-PassThru");

        var error = result.SingleError();
        AssertError(error, "ZulipConfigExists", ErrorCategory.ResourceExists);
        Assert.Contains(path, error.Exception.Message);
        Assert.Contains("-Force", error.Exception.Message);
        Assert.Equal(path, error.TargetObject);
        Assert.Empty(result.Output);
        // Read (to see whether it has an [api] section), never written, moved or chmod-ed.
        Assert.DoesNotContain(watch.Read(), e => !IsReadOnly(e.Mask));
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(before, (FileSystemProbe.Inode(path), File.GetLastWriteTimeUtc(path)));
        Assert.Equal("640", FileSystemProbe.Mode(path));
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void ForceReplacesTheFileAtomicallyAndPrivately()
    {
        var path = WriteRc("zuliprc", Rc("old@zulip.com", "OldKey", "https://old.example.com"));
        FileSystemProbe.SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var inodeBefore = FileSystemProbe.Inode(path);
        var key = FetchKey();
        using var watch = new DirectoryWatch(dir.Path);

        var result = Export(key, path, "-Force");

        var events = watch.Read();
        Assert.Empty(result.Errors);
        // Never opened or written in place: the new content arrives by a rename over the old name, so a reader
        // sees the old file or the new one, never a mix or an empty file.
        var onTarget = events.Where(e => e.Name == "zuliprc" && !IsReadOnly(e.Mask)).ToList();
        Assert.True(onTarget.Count == 1 && onTarget[0].Mask == DirectoryWatch.InMovedTo, DirectoryWatch.Describe(events));
        Assert.DoesNotContain(events, e => (e.Mask & DirectoryWatch.InAttrib) != 0);
        Assert.NotEqual(inodeBefore, FileSystemProbe.Inode(path));
        Assert.Equal("600", FileSystemProbe.Mode(path));
        Assert.Equal(Rc(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, Http), File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void ASecondKeyForTheSamePathIsAnErrorAndTheFirstStays()
    {
        var path = dir.File("zuliprc");
        var iago = FetchKey();
        var hamlet = FetchKey(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password);

        var result = Session.RunWith("param($A, $B, $P) $A, $B | Export-ZulipRc -Path $P; 'went on'",
            new Hashtable { ["A"] = iago, ["B"] = hamlet, ["P"] = path });

        var error = Assert.Single(result.Errors);
        AssertError(error, "ZulipConfigExists", ErrorCategory.ResourceExists);
        Assert.Contains("one [api] section", error.Exception.Message);
        Assert.Equal("went on", Assert.Single(result.Output).BaseObject);
        Assert.Equal(Rc(TestUsers.Iago.Email, TestUsers.Iago.ApiKey, Http), File.ReadAllText(path));
        result.AssertNoSecret(TestUsers.Iago.ApiKey, TestUsers.Hamlet.ApiKey);
    }

    [Fact]
    public void WithForceTheLastKeyPipedForAPathWins()
    {
        var path = dir.File("zuliprc");

        var result = Session.RunWith("param($A, $B, $P) $A, $B | Export-ZulipRc -Path $P -Force",
            new Hashtable { ["A"] = FetchKey(), ["B"] = FetchKey(TestUsers.Hamlet.Email, TestUsers.Hamlet.Password), ["P"] = path });

        Assert.Empty(result.Errors);
        Assert.Equal(Rc(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey, Http), File.ReadAllText(path));
        Assert.Equal("600", FileSystemProbe.Mode(path));
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        var path = dir.File("sub/zuliprc");
        var existing = WriteRc("existing", Rc("old@zulip.com", "OldKey", "https://old.example.com"));
        var key = FetchKey();
        using var watch = new DirectoryWatch(dir.Path);

        var created = Export(key, path, "-WhatIf -PassThru");
        var replaced = Export(key, existing, "-WhatIf -Force");

        Assert.Empty(created.Errors);
        Assert.Empty(created.Output);
        Assert.Empty(replaced.Errors);
        Assert.Empty(watch.Read());
        Assert.False(Directory.Exists(dir.File("sub")));
        Assert.Equal(Rc("old@zulip.com", "OldKey", "https://old.example.com"), File.ReadAllText(existing));
        created.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void TheWhatIfMessageNamesTheFileAndTheAccountButNotTheKey()
    {
        var host = new RecordingHost();
        using var session = new PsSession(host);
        var path = dir.File("zuliprc");

        var result = session.RunWith("param($Key, $P) $Key | Export-ZulipRc -Path $P -WhatIf", new Hashtable { ["Key"] = FetchKey(), ["P"] = path });

        Assert.Empty(result.Errors);
        Assert.False(File.Exists(path));
        Assert.Contains("What if", host.Written);
        Assert.Contains(path, host.Written);
        Assert.Contains(TestUsers.Iago.Email, host.Written);
        Assert.DoesNotContain(TestUsers.Iago.ApiKey, host.Written);
    }

    [Fact]
    public void PassThruGivesTheFileInfo()
    {
        var path = dir.File("zuliprc");

        var result = Export(FetchKey(), path, "-PassThru");

        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal(path, file.FullName);
        Assert.True(file.Exists);
    }

    [Fact]
    public void AFolderInTheWayIsAnInvalidPath()
    {
        var path = dir.File("taken");
        Directory.CreateDirectory(path);

        var result = Export(FetchKey(), path, "-Force");

        var error = result.SingleError();
        AssertError(error, "ZulipInvalidPath", ErrorCategory.InvalidArgument);
        Assert.Contains(path, error.Exception.Message);
        Assert.Equal(path, error.TargetObject);
        Assert.Equal(new[] { path }, Directory.GetFileSystemEntries(dir.Path));
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    [Fact]
    public void APathOnAnotherProvidersDriveIsRefusedNotWrittenInTheProcessDirectory()
    {
        var key = FetchKey();

        var result = Session.RunWith(
            "param($Key) $Key | Export-ZulipRc -Path Env:ZULIPRC_PROBE; $ExecutionContext.SessionState.Path.SetLocation('Env:') > $null; $Key | Export-ZulipRc -Path zuliprc-probe; Import-ZulipRc -Path zuliprc-probe; Import-ZulipRc -Path Nope:/x",
            new Hashtable { ["Key"] = key });

        Assert.Equal(4, result.Errors.Count);
        Assert.All(result.Errors, e => AssertError(e, "ZulipInvalidPath", ErrorCategory.InvalidArgument));
        Assert.Contains("Environment", result.Errors[0].Exception.Message);
        Assert.Empty(result.Output);
        Assert.Null(Environment.GetEnvironmentVariable("ZULIPRC_PROBE"));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "zuliprc-probe")));
        result.AssertNoSecret(TestUsers.Iago.ApiKey);
    }

    // ---------------------------------------------------------------------------------------------- Import

    [Fact]
    public void ImportGivesAKeyObjectWithoutUserId()
    {
        var path = WriteRc("zuliprc", Rc(TestUsers.Hamlet.Email, TestUsers.Hamlet.ApiKey, Http));

        var result = Import(path);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        var key = Assert.Single(result.Output);
        Assert.Equal("ZulipAuth.ZulipApiKey", key.TypeNames[0]);
        Assert.Equal(new Uri(Http + "/"), key.Properties["Server"].Value);
        Assert.Equal(TestUsers.Hamlet.Email, key.Properties["Email"].Value);
        Assert.Null(key.Properties["UserId"].Value);
        Assert.Equal(TestUsers.Hamlet.ApiKey, KeyOf(key));
        Assert.Equal(TestUsers.Hamlet.ApiKey, ((PSCredential)key.Properties["Credential"].Value).GetNetworkCredential().Password);
        Assert.Empty(Server.Requests);
        result.AssertNoSecret(TestUsers.Hamlet.ApiKey);
    }

    public static IEnumerable<object[]> ConfigParserSyntax() =>
    [
        ["colon delimiters", "[api]\nemail: a@example.com\nkey: K1\nsite: https://chat.example.com\n"],
        ["spaces around delimiters", "[api]\nemail = a@example.com\nkey   =   K1\nsite=  https://chat.example.com   \n"],
        ["comment lines", "# written by hand\n; another comment\n[api]\n  # indented comment\nemail=a@example.com\n;key=wrong\nkey=K1\nsite=https://chat.example.com\n"],
        ["case-insensitive keys", "[api]\nEMAIL=a@example.com\nKey=K1\nSite=https://chat.example.com\n"],
        ["other sections and keys", "[bot]\nname=x\n[api]\nemail=a@example.com\nkey=K1\nsite=https://chat.example.com\ninsecure=false\n[other]\nkey=wrong\n"],
        ["DEFAULT section", "[DEFAULT]\nsite=https://chat.example.com\n[api]\nemail=a@example.com\nkey=K1\n"],
        ["CRLF line endings", "[api]\r\nemail=a@example.com\r\nkey=K1\r\nsite=https://chat.example.com\r\n"],
        ["indented keys and blank lines", "\n\n[api]\n  email=a@example.com\n\n  key=K1\n  site=https://chat.example.com\n\n"],
        ["no final newline", "[api]\nemail=a@example.com\nkey=K1\nsite=https://chat.example.com"],
    ];

    [Theory]
    [MemberData(nameof(ConfigParserSyntax))]
    public void ReadsWhatPythonsConfigparserReads(string name, string text)
    {
        var path = WriteRc("zuliprc", text);

        var result = Import(path);

        Assert.True(result.Errors.Count == 0, name + ": " + string.Join("; ", result.Errors));
        var key = Assert.Single(result.Output);
        Assert.Equal("a@example.com", key.Properties["Email"].Value);
        Assert.Equal("K1", KeyOf(key));
        Assert.Equal(new Uri("https://chat.example.com/"), key.Properties["Server"].Value);
    }

    [Theory]
    [InlineData("chat.example.com", "https://chat.example.com/")]
    [InlineData("chat.example.com/", "https://chat.example.com/")]
    [InlineData("https://chat.example.com/", "https://chat.example.com/")]
    [InlineData("https://chat.example.com//", "https://chat.example.com/")]
    [InlineData("https://chat.example.com/api/v1", "https://chat.example.com/")]
    [InlineData("HTTPS://Chat.Example.COM", "https://chat.example.com/")]
    [InlineData("localhost:9991", "http://localhost:9991/")]
    [InlineData("localhost", "http://localhost/")]
    [InlineData("http://localhost:9991/", "http://localhost:9991/")]
    [InlineData("127.0.0.1:9991", "https://127.0.0.1:9991/")]
    [InlineData("chat.example.com:8443", "https://chat.example.com:8443/")]
    public void TheSiteIsNormalisedAsThePythonBindingsDo(string site, string server)
    {
        var path = WriteRc("zuliprc", Rc("a@example.com", "K1", site));

        var result = Import(path);

        Assert.Empty(result.Errors);
        Assert.Equal(new Uri(server), Assert.Single(result.Output).Properties["Server"].Value);
    }

    public static IEnumerable<object[]> MalformedFiles() =>
    [
        ["empty file", "", "no [api] section"],
        ["no [api] section", $"[API]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com\n", "no [api] section"],
        ["missing email", $"[api]\nkey={CanaryKey}\nsite=https://chat.example.com\n", "has no email"],
        ["missing key", "[api]\nemail=a@example.com\nsite=https://chat.example.com\n", "has no key"],
        ["missing site", $"[api]\nemail=a@example.com\nkey={CanaryKey}\n", "has no site"],
        ["empty key and site", "[api]\nemail=a@example.com\nkey=\nsite =\n", "has no key, site"],
        ["a line without a delimiter", $"[api]\nemail=a@example.com\n{CanaryKey}\nsite=https://chat.example.com\n", "line 3"],
        ["a setting before any section", $"key={CanaryKey}\n[api]\n", "line 1"],
        ["an unclosed section header", $"[api\nkey={CanaryKey}\n", "line 1"],
        ["a duplicate key", $"[api]\nkey={CanaryKey}\nkey={CanaryKey}\n", "line 3"],
        ["a duplicate section", $"[api]\nkey={CanaryKey}\n[api]\n", "line 3"],
        ["a site with a path", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://example.com/zulip\n", "site"],
        ["a site with another scheme", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=ftp://example.com\n", "scheme 'ftp'"],
        ["a UTF-8 BOM", $"\uFEFF[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com\n", "other Zulip clients"],
        ["a lone % in the email", $"[api]\nemail=a%tag@example.com\nkey={CanaryKey}\nsite=https://chat.example.com\n", "line 2"],
        ["a site without a host", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://\n", "no host"],
        ["a site with a query", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com/?x=1\n", "query"],
        ["a site with a fragment", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com#top\n", "fragment"],
        ["a key longer than 256 characters", $"[api]\nemail=a@example.com\nkey={CanaryKey}{new string('k', 300)}\nsite=https://chat.example.com\n", "line 3"],
        ["insecure neither true nor false", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com\ninsecure=yes\n", "'true' or 'false'"],
        ["a client key without a certificate", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com\nclient_cert_key=/etc/hostname\n", "needs its certificate"],
        ["a certificate bundle that does not exist", $"[api]\nemail=a@example.com\nkey={CanaryKey}\nsite=https://chat.example.com\ncert_bundle=/nonexistent/ca.pem\n", "not an existing file"],
    ];

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void AMalformedFileIsConfigInvalidNamingTheFileAndTheProblemButNeverTheKey(string name, string text, string says)
    {
        var path = WriteRc("zuliprc", text);

        var result = Import(path);

        var error = result.SingleError();
        AssertError(error, "ZulipConfigInvalid", ErrorCategory.InvalidData);
        Assert.True(error.Exception.Message.Contains(path, StringComparison.Ordinal), $"{name}: {error.Exception.Message}");
        Assert.True(error.Exception.Message.Contains(says, StringComparison.Ordinal), $"{name}: {error.Exception.Message}");
        Assert.Equal(path, error.TargetObject);
        Assert.Empty(result.Output);
        result.AssertNoSecret(CanaryKey);
    }

    [Fact]
    public void AMissingFileIsConfigNotFound()
    {
        var path = dir.File("nothing-here");

        var result = Import(path);

        var error = result.SingleError();
        AssertError(error, "ZulipConfigNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains(path, error.Exception.Message);
        Assert.Contains("Export-ZulipRc", error.Exception.Message);
        Assert.Equal(path, error.TargetObject);
    }

    [Fact]
    public void ASocketIsAnInvalidPath()
    {
        // open(2) fails on a socket for every user, root included; it is not a regular file either way.
        var path = dir.File("socket");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        var result = Import(path);

        var error = result.SingleError();
        AssertError(error, "ZulipInvalidPath", ErrorCategory.InvalidArgument);
        Assert.Contains(path, error.Exception.Message);
        Assert.Equal(path, error.TargetObject);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead, true)]
    [InlineData(UnixFileMode.OtherRead, true)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead, true)]
    [InlineData(UnixFileMode.None, false)]
    public void AFileOthersCanReadIsReadWithAWarning(UnixFileMode extra, bool warns)
    {
        var path = WriteRc("zuliprc", Rc("a@example.com", CanaryKey, "chat.example.com"));
        FileSystemProbe.SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        var result = Import(path);

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        if (warns)
        {
            var warning = Assert.Single(result.Warnings);
            Assert.Contains(path, warning);
            Assert.Contains("chmod 600", warning);
        }
        else
        {
            Assert.Empty(result.Warnings);
        }

        result.AssertNoSecret(CanaryKey);
    }

    [Fact]
    public void FilesPipedAsProviderItemsOrAsStringsGiveOneKeyOrOneErrorEach()
    {
        WriteRc("a.rc", Rc("a@example.com", "K1", "chat.example.com"));
        WriteRc("b.rc", Rc("b@example.com", "K2", "chat.example.com"));

        var result = Session.RunWith(
            "param($Dir, $None, $A) $ExecutionContext.InvokeProvider.ChildItem.Get($Dir, $false) | Import-ZulipRc; $None, $A | Import-ZulipRc",
            new Hashtable { ["Dir"] = dir.Path, ["None"] = dir.File("none.rc"), ["A"] = dir.File("a.rc") });

        var emails = result.Output.Select(o => (string)o.Properties["Email"].Value).ToList();
        Assert.Equal(new[] { "a@example.com", "b@example.com" }, emails.Take(2).Order());
        Assert.Equal(new[] { "a@example.com" }, emails.Skip(2));
        AssertError(Assert.Single(result.Errors), "ZulipConfigNotFound", ErrorCategory.ObjectNotFound);
    }
}
