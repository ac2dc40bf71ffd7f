using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Export-ZulipRc and Import-ZulipRc on files that are not ours alone or not files at all: other tools' sections
/// survive, symlinks stay links, '%' survives Python, FIFOs and devices are refused at once, bad paths are
/// per-input errors, and the TLS settings travel between the file and the key object.
/// </summary>
public class ZulipRcPreservationTests : ModuleTestBase, IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    private string Fifo(string name)
    {
        var path = dir.File(name);
        Assert.Equal(0, mkfifo(path, Convert.ToInt32("600", 8)));
        return path;
    }

    private static void Release(string fifo)
    {
        var fd = open(fifo, 0x1 | 0x800);
        if (fd >= 0)
        {
            close(fd);
        }
    }

    private PSObject FetchKey()
    {
        var result = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password));
        Assert.Empty(result.Errors);
        return Assert.Single(result.Output);
    }

    private PsResult Export(object key, string path, string extra = "") =>
        Session.RunWith($"param($Key, $Path) $Key | Export-ZulipRc -Path $Path {extra}; 'went on'", new Hashtable { ["Key"] = key, ["Path"] = path });

    private string Ours => $"email={TestUsers.Iago.Email}\nkey={TestUsers.Iago.ApiKey}\nsite={Http}\n";

    [Fact]
    public void ForceUpdatesOnlyOurKeysAndKeepsEverythingElseWithItsLineEndings()
    {
        var path = dir.File("zuliprc");
        var before = "# my zuliprc\r\n[api]\r\n  email=old@zulip.com\r\n  key=OldKey\r\n  token=webhook-token\r\n  ; a comment\r\n  site=https://old.example.com\r\n\r\n[zterm]\r\ntheme=zt_dark\r\nnotify=enabled\r\n\r\n[helper-bot]\r\nkey=BotKey\r\n";
        FileSystemProbe.WriteRc(path, before);

        var result = Export(FetchKey(), path, "-Force");

        Assert.Empty(result.Errors);
        var expected = before.Replace("email=old@zulip.com", "email=" + TestUsers.Iago.Email).Replace("key=OldKey", "key=" + TestUsers.Iago.ApiKey).Replace("site=https://old.example.com", "site=" + Http);
        Assert.Equal(expected, File.ReadAllText(path));
        Assert.Equal("600", FileSystemProbe.Mode(path));
    }

    [Fact]
    public void WithoutForceAFileWithoutAnApiSectionGetsOneAndKeepsTheRest()
    {
        var path = dir.File("zuliprc");
        FileSystemProbe.WriteRc(path, "[zterm]\ntheme=zt_dark");

        var result = Export(FetchKey(), path);

        Assert.Empty(result.Errors);
        Assert.Equal("[zterm]\ntheme=zt_dark\n[api]\n" + Ours, File.ReadAllText(path));
    }

    [Fact]
    public void ASymlinkStaysALinkAndItsTargetGetsTheKey()
    {
        var target = dir.File("real-zuliprc");
        FileSystemProbe.WriteRc(target, "[api]\nemail=old@zulip.com\nkey=OldKey\nsite=https://old.example.com\n[zterm]\ntheme=x\n");
        var link = dir.File("zuliprc");
        File.CreateSymbolicLink(link, target);

        var result = Export(FetchKey(), link, "-Force");

        Assert.Empty(result.Errors);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("[api]\n" + Ours + "[zterm]\ntheme=x\n", File.ReadAllText(target));
        Assert.Equal("600", FileSystemProbe.Mode(target));
    }

    [Fact]
    public void APercentSignIsWrittenSoThatPythonReadsItBack()
    {
        var path = dir.File("zuliprc");
        var result = Session.RunWith(
            "param($P, $K) [ZulipAuth.ZulipApiKey]::new([uri]'https://chat.example.com/', 'user%tag@example.com', $K, $null) | Export-ZulipRc -Path $P; Import-ZulipRc -Path $P",
            new Hashtable { ["P"] = path, ["K"] = Cred("unused", "K1").Password });

        Assert.Empty(result.Errors);
        Assert.Contains("email=user%%tag@example.com\n", File.ReadAllText(path));
        Assert.Equal("user%tag@example.com", Assert.Single(result.Output).Properties["Email"].Value);
        var python = Process.Start(new ProcessStartInfo("python3", new[] { "-I", "-c", "import configparser,sys; c=configparser.ConfigParser(); c.read_file(open(sys.argv[1], encoding='utf-8')); print(c.get('api','email'))", path }) { RedirectStandardOutput = true })!;
        Assert.True(python.WaitForExit(20_000));
        Assert.Equal("user%tag@example.com", python.StandardOutput.ReadToEnd().Trim());
    }

    [Fact]
    public void APathWithANulIsAnInvalidPathAndThePipelineGoesOn()
    {
        var key = FetchKey();

        var result = Session.RunWith("param($Key) $Key | Export-ZulipRc -Path \"x`0y\"; Import-ZulipRc -Path \"x`0y\"; 'went on'", new Hashtable { ["Key"] = key });

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => AssertError(e, "ZulipInvalidPath", ErrorCategory.InvalidArgument));
        Assert.Equal("went on", Assert.Single(result.Output).BaseObject);
        Assert.False(File.Exists("x"));
    }

    [Fact]
    public void AKeyOver65536CharactersIsConfigInvalidNotACrash()
    {
        var path = dir.File("zuliprc");
        File.WriteAllText(path, $"[api]\nemail=a@example.com\nkey={new string('k', 70_000)}\nsite=https://chat.example.com\n");

        var result = Session.Run("Import-ZulipRc -Path $args[0]; 'went on'", path);

        Assert.Null(result.Terminating);
        AssertError(result.SingleError(), "ZulipConfigInvalid", ErrorCategory.InvalidData);
        Assert.Equal("went on", Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void AFifoAndDevZeroAreRefusedAtOnce()
    {
        var fifo = Fifo("fifo");
        try
        {
            var clock = Stopwatch.StartNew();
            var (shell, pending) = Session.Begin("param($F) Import-ZulipRc -Path $F; Import-ZulipRc -Path /dev/zero; 'went on'", new Hashtable { ["F"] = fifo });
            using (shell)
            {
                Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2)), "Import-ZulipRc blocked on a FIFO");
                var output = shell.EndInvoke(pending);
                Assert.True(clock.ElapsedMilliseconds < 2000);
                Assert.Equal(2, shell.Streams.Error.Count);
                Assert.All(shell.Streams.Error, e => AssertError(e, "ZulipInvalidPath", ErrorCategory.InvalidArgument));
                Assert.Equal("went on", Assert.Single(output).BaseObject);
            }
        }
        finally
        {
            Release(fifo);
        }
    }

    [Fact]
    public async Task StopReturnsWithinOneSecond()
    {
        var fifo = Fifo("fifo");
        var big = dir.File("big");
        File.WriteAllText(big, "[api]\nkey=x\n" + string.Concat(Enumerable.Repeat("  continued\n", 110_000)));
        try
        {
            var (shell, pending) = Session.Begin("param($F, $B) while ($true) { Import-ZulipRc -Path $F -ErrorAction SilentlyContinue; Import-ZulipRc -Path $B -ErrorAction SilentlyContinue }", new Hashtable { ["F"] = fifo, ["B"] = big });
            using (shell)
            {
                await Task.Delay(300);
                var clock = Stopwatch.StartNew();
                var stop = Task.Run(shell.Stop);
                var stopped = await Task.WhenAny(stop, Task.Delay(1000)) == stop;
                Assert.True(stopped && clock.ElapsedMilliseconds < 1000, $"Stop() took {clock.ElapsedMilliseconds} ms");
            }
        }
        finally
        {
            Release(fifo);
        }
    }

    [Fact]
    public void AMegabyteFileIsRefusedQuickly()
    {
        var big = dir.File("big");
        File.WriteAllText(big, "[api]\nkey=x\n" + string.Concat(Enumerable.Repeat("  continued line\n", 75_000)));

        var clock = Stopwatch.StartNew();
        var result = Session.Run("Import-ZulipRc -Path $args[0]", big);

        Assert.True(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
        AssertError(result.SingleError(), "ZulipConfigInvalid", ErrorCategory.InvalidData);
        Assert.Contains("64 KiB", result.Errors[0].Exception.Message);
    }

    [Fact]
    public void ForceOntoAFifoIsRefusedAndTheFifoStays()
    {
        var fifo = Fifo("zuliprc");
        try
        {
            var result = Export(FetchKey(), fifo, "-Force");

            AssertError(result.SingleError(), "ZulipInvalidPath", ErrorCategory.InvalidArgument);
            Assert.Equal("went on", Assert.Single(result.Output).BaseObject);
            Assert.Equal("p", FileSystemProbe.Stat(fifo, "%A")[..1]);
            Assert.Equal(new[] { fifo }, Directory.GetFileSystemEntries(dir.Path));
        }
        finally
        {
            Release(fifo);
        }
    }

    [Fact]
    public void TheTlsSettingsTravelFromTheFileToTheKeyAndBack()
    {
        var ca = dir.File("ca.pem");
        var cert = dir.File("client.pem");
        var certKey = dir.File("client.key");
        foreach (var file in new[] { ca, cert, certKey })
        {
            File.WriteAllText(file, "-----BEGIN-----\n");
        }

        var source = dir.File("in");
        FileSystemProbe.WriteRc(source, $"[api]\nemail=a@example.com\nkey=K1\nsite=https://chat.example.com\ninsecure=TRUE\ncert_bundle={ca}\nclient_cert={cert}\nclient_cert_key={certKey}\n");
        var plain = dir.File("plain");
        var insecure = dir.File("insecure");

        var result = Session.Run("$k = Import-ZulipRc -Path $args[0]; $k; $k | Export-ZulipRc -Path $args[1]; $k | Export-ZulipRc -Path $args[2] -Insecure", source, plain, insecure);

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(true, key.Properties["SkipCertificateCheck"].Value);
        Assert.Equal(ca, key.Properties["CertificateBundle"].Value);
        Assert.Equal(cert, key.Properties["ClientCertificate"].Value);
        Assert.Equal(certKey, key.Properties["ClientCertificateKey"].Value);
        var common = $"[api]\nemail=a@example.com\nkey=K1\nsite=https://chat.example.com\ncert_bundle={ca}\nclient_cert={cert}\nclient_cert_key={certKey}\n";
        Assert.Equal(common, File.ReadAllText(plain));
        Assert.Equal(common + "insecure=true\n", File.ReadAllText(insecure));
        Assert.Contains(result.Warnings, w => w.Contains("insecure=true", StringComparison.Ordinal) && w.Contains(insecure, StringComparison.Ordinal));
    }
}
