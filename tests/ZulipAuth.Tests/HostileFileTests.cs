using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// Files that are not what a zuliprc should be (a FIFO, a device, a huge file) and writes that fail half-way
/// (a full disk, a name taken meanwhile): reading never blocks and stays bounded, writing leaves the old file
/// or the new one and nothing else.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private const int ENOSPC = 28;

    private readonly string directory = Path.Combine(Path.GetTempPath(), "zulipauth-hostile-" + Guid.NewGuid().ToString("N"));

    public HostileFileTests() => Directory.CreateDirectory(directory);

    public void Dispose()
    {
        PrivateFile.FaultInjection.Value = null;
        Directory.Delete(directory, recursive: true);
    }

    private string File_(string name) => Path.Combine(directory, name);

    private static byte[] Rc(string key) => Encoding.UTF8.GetBytes(ZulipRcFile.Format("iago@zulip.com", key, TestSupport.Server));

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int mknod(string path, int mode, ulong device);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    private string Fifo(string name)
    {
        var path = File_(name);
        Assert.Equal(0, mkfifo(path, Convert.ToInt32("600", 8)));
        return path;
    }

    /// <summary>Lets a reader stuck in open(2) of <paramref name="fifo"/> go (only the unfixed code gets stuck).</summary>
    private static void Release(string fifo)
    {
        var fd = open(fifo, 0x1 | 0x800); // O_WRONLY | O_NONBLOCK: succeeds only when a reader waits
        if (fd >= 0)
        {
            close(fd);
        }
    }

    private static ZulipApiException Bounded(Action action, int milliseconds = 1000)
    {
        var clock = Stopwatch.StartNew();
        var task = Task.Run(() => Assert.Throws<ZulipApiException>(action));
        Assert.True(task.Wait(milliseconds), $"did not return within {milliseconds} ms");
        Assert.True(clock.ElapsedMilliseconds < milliseconds, $"{clock.ElapsedMilliseconds} ms");
        return task.Result;
    }

    [Fact]
    public void AFifoIsRefusedAtOnceWithoutWaitingForAWriter()
    {
        var fifo = Fifo("zuliprc");
        try
        {
            var e = Bounded(() => PrivateFile.ReadRegular(fifo, CancellationToken.None));

            Assert.Equal(ZulipErrorId.InvalidPath, e.ErrorId);
            Assert.Contains("not a regular file", e.Message);
        }
        finally
        {
            Release(fifo);
        }
    }

    [Fact]
    public void DevZeroIsRefusedAtOnceAndNotReadAtAll()
    {
        var e = Bounded(() => PrivateFile.ReadRegular("/dev/zero", CancellationToken.None));

        Assert.Equal(ZulipErrorId.InvalidPath, e.ErrorId);
    }

    [Fact]
    public void AFolderIsRefused()
    {
        var e = Bounded(() => PrivateFile.ReadRegular(directory, CancellationToken.None));

        Assert.Equal(ZulipErrorId.InvalidPath, e.ErrorId);
        Assert.Contains("folder", e.Message);
    }

    [Fact]
    public void AFileOver64KiBIsConfigInvalidAndOneOfExactly64KiBIsRead()
    {
        var big = File_("big");
        File.WriteAllBytes(big, new byte[PrivateFile.MaximumReadBytes + 1]);
        var exact = File_("exact");
        File.WriteAllBytes(exact, Enumerable.Repeat((byte)'#', PrivateFile.MaximumReadBytes).ToArray());

        var e = Bounded(() => PrivateFile.ReadRegular(big, CancellationToken.None));

        Assert.Equal(ZulipErrorId.ConfigInvalid, e.ErrorId);
        Assert.Contains("64 KiB", e.Message);
        Assert.Equal(PrivateFile.MaximumReadBytes, PrivateFile.ReadRegular(exact, CancellationToken.None).Length);
    }

    [Fact]
    public void ACancelledReadStops()
    {
        var path = File_("zuliprc");
        File.WriteAllBytes(path, Rc(TestSupport.IagoKey));

        Assert.Throws<OperationCanceledException>(() => PrivateFile.ReadRegular(path, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void ParsingIsLinearEvenForAMegabyteOfContinuationLines()
    {
        // 1.25 MB of continuation lines took 65 s when each line copied the whole value so far.
        var text = new StringBuilder("[api]\nkey=start\n");
        while (text.Length < 1_250_000)
        {
            text.Append("  continued line of a value\n");
        }

        var clock = Stopwatch.StartNew();
        var sections = ZulipRcFile.Parse(text.ToString());
        clock.Stop();

        Assert.StartsWith("start\ncontinued", sections["api"]["key"]);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("create", false)]
    [InlineData("write", false)]
    [InlineData("sync", false)]
    [InlineData("place", false)]
    [InlineData("write", true)]
    [InlineData("sync", true)]
    [InlineData("place", true)]
    public void ADiskFullAtAnyStepIsWriteFailedAndLeavesNothingBehind(string step, bool existing)
    {
        var path = File_("zuliprc");
        if (existing)
        {
            File.WriteAllText(path, "[api]\nkey=old\n");
        }

        PrivateFile.FaultInjection.Value = s => s == step ? ENOSPC : 0;

        var e = Assert.Throws<ZulipApiException>(() => PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: existing));

        Assert.Equal(ZulipErrorId.ConfigWriteFailed, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain(TestSupport.IagoKey, e.Message);
        Assert.Equal(existing ? new[] { path } : Array.Empty<string>(), Directory.GetFileSystemEntries(directory));
        if (existing)
        {
            Assert.Equal("[api]\nkey=old\n", File.ReadAllText(path));
        }

        // And the next write, with room again, is not refused as "exists".
        PrivateFile.FaultInjection.Value = null;
        PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: existing);
        Assert.Equal(Rc(TestSupport.IagoKey), File.ReadAllBytes(path));
    }

    [Fact]
    public void AReallyFullDiskIsWriteFailedAndLeavesNothingBehind()
    {
        // A 16 KiB tmpfs filled to the brim; the tests run as root here (mount needs it).
        var mount = File_("full");
        Directory.CreateDirectory(mount);
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mount) == 0, "mount -t tmpfs failed: the test needs root");
        try
        {
            var filler = Path.Combine(mount, "filler");
            try
            {
                using var stream = File.OpenWrite(filler);
                var block = new byte[1024];
                while (true)
                {
                    stream.Write(block);
                    stream.Flush();
                }
            }
            catch (IOException)
            {
                // The disk is full now.
            }

            var path = Path.Combine(mount, "zuliprc");
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var e = Assert.Throws<ZulipApiException>(() => PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: false));
                Assert.Equal(ZulipErrorId.ConfigWriteFailed, e.ErrorId);
                Assert.Equal(new[] { filler }, Directory.GetFileSystemEntries(mount));
            }
        }
        finally
        {
            Assert.Equal(0, Run("umount", mount));
        }
    }

    private static int Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        process.WaitForExit(10_000);
        return process.ExitCode;
    }

    [Fact]
    public void ANameTakenWhileWritingIsConfigExistsAndTheOtherFileStays()
    {
        var path = File_("zuliprc");
        PrivateFile.FaultInjection.Value = s =>
        {
            if (s == "place")
            {
                File.WriteAllText(path, "theirs");
            }

            return 0;
        };

        var e = Assert.Throws<ZulipApiException>(() => PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: false));

        Assert.Equal(ZulipErrorId.ConfigExists, e.ErrorId);
        Assert.Equal("theirs", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFileSystemEntries(directory));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFifoOrADeviceIsNeverReplaced(bool device)
    {
        var path = File_("node");
        if (device)
        {
            // A character device like /dev/null (1, 3), made here rather than touching the real one.
            const int S_IFCHR = 0x2000;
            Assert.Equal(0, mknod(path, S_IFCHR | Convert.ToInt32("600", 8), (1UL << 8) | 3));
        }
        else
        {
            Fifo("node");
        }

        var e = Assert.Throws<ZulipApiException>(() => PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: true));

        Assert.Equal(ZulipErrorId.InvalidPath, e.ErrorId);
        Assert.Equal(new[] { path }, Directory.GetFileSystemEntries(directory));
        Assert.Equal(FileKind.Other, PrivateFile.KindOf(path));
    }

    [Fact]
    public void ASymlinkIsWrittenThroughAndStaysALink()
    {
        var target = File_("real");
        File.WriteAllText(target, "[api]\nkey=old\n");
        var link = File_("zuliprc");
        File.CreateSymbolicLink(link, target);

        PrivateFile.Write(link, Rc(TestSupport.IagoKey), replace: true);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(Rc(TestSupport.IagoKey), File.ReadAllBytes(target));
        Assert.Equal(new[] { target, link }.Order(), Directory.GetFileSystemEntries(directory).Order());
    }

    [Fact]
    public async Task AReaderNeverSeesAnEmptyOrPartialFile()
    {
        // Without the temporary file, a reader racing the creation saw an empty file (868 of 555,667 reads).
        var path = File_("zuliprc");
        var content = Rc(TestSupport.IagoKey);
        var bad = 0;
        var reads = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var seen = File.ReadAllBytes(path);
                    reads++;
                    if (!seen.AsSpan().SequenceEqual(content))
                    {
                        bad++;
                    }
                }
                catch (FileNotFoundException)
                {
                }
            }
        });
        var writes = 0;
        while (!stop.IsCancellationRequested)
        {
            File.Delete(path);
            PrivateFile.Write(path, content, replace: false);
            PrivateFile.Write(path, content, replace: true);
            writes++;
        }

        await reader;
        Assert.True(reads > 100 && writes > 10, $"{reads} reads, {writes} writes");
        Assert.Equal(0, bad);
    }
}
