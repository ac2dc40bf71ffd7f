using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>A private directory under the temp folder, deleted with everything in it.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zulipauth-moduletests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>
/// What the operating system says about a file, asked through its own tools (stat(1), inotify), never through
/// the module's code, so a test of file permissions cannot agree with the code by sharing its mistake.
/// </summary>
public static class FileSystemProbe
{
    /// <summary>The permission bits as stat(1) prints them, e.g. "600".</summary>
    public static string Mode(string path) => Stat(path, OperatingSystem.IsMacOS() ? "%Lp" : "%a");

    /// <summary>The inode number: it changes when a file is replaced by a rename, not when it is rewritten in place.</summary>
    public static string Inode(string path) => Stat(path, OperatingSystem.IsMacOS() ? "%i" : "%i");

    public static string Stat(string path, string format)
    {
        var start = new ProcessStartInfo("stat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(OperatingSystem.IsMacOS() ? "-f" : "-c");
        start.ArgumentList.Add(format);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException("stat did not finish");
        }

        Assert.True(process.ExitCode == 0, $"stat {path}: {error}");
        return output.Trim();
    }

    /// <summary>chmod, where modes exist (test set-up, not a check).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Writes a zuliprc for a test, UTF-8 without BOM, readable by its owner only.</summary>
    public static void WriteRc(string path, string text)
    {
        File.WriteAllText(path, text, new UTF8Encoding(false));
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Sets the process umask and returns the previous one. The umask is process-wide.</summary>
    public static uint SetUmask(uint mask) => umask(mask);

    [DllImport("libc", SetLastError = true)]
    private static extern uint umask(uint mask);
}

/// <summary>
/// Records what happens in one directory through Linux inotify. The kernel queues an event inside the system
/// call that causes it, so once a command has returned, <see cref="Read"/> sees every event it caused: a
/// deterministic record of whether a file was ever chmod-ed (IN_ATTRIB) or written in place (IN_MODIFY).
/// </summary>
public sealed class DirectoryWatch : IDisposable
{
    public const uint InModify = 0x002;
    public const uint InAttrib = 0x004;
    public const uint InCloseWrite = 0x008;
    public const uint InOpen = 0x020;
    public const uint InMovedFrom = 0x040;
    public const uint InMovedTo = 0x080;
    public const uint InCreate = 0x100;
    public const uint InDelete = 0x200;
    private const uint AllEvents = 0xFFF;
    private const int InNonBlock = 0x800;
    private const int InCloExec = 0x80000;

    private readonly int fd;

    public DirectoryWatch(string directory)
    {
        fd = inotify_init1(InNonBlock | InCloExec);
        Assert.True(fd >= 0, $"inotify_init1 failed: errno {Marshal.GetLastWin32Error()}");
        var wd = inotify_add_watch(fd, directory, AllEvents);
        Assert.True(wd >= 0, $"inotify_add_watch failed: errno {Marshal.GetLastWin32Error()}");
    }

    /// <summary>Every event queued so far, as (file name, mask).</summary>
    public List<(string Name, uint Mask)> Read()
    {
        var events = new List<(string, uint)>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var count = (long)read(fd, buffer, (IntPtr)buffer.Length);
            if (count <= 0)
            {
                return events; // EAGAIN: the queue is empty
            }

            for (var offset = 0; offset < count;)
            {
                var mask = BitConverter.ToUInt32(buffer, offset + 4);
                var length = (int)BitConverter.ToUInt32(buffer, offset + 12);
                var name = Encoding.UTF8.GetString(buffer, offset + 16, length).TrimEnd('\0');
                events.Add((name, mask));
                offset += 16 + length;
            }
        }
    }

    public static string Describe(IEnumerable<(string Name, uint Mask)> events) =>
        string.Join(", ", events.Select(e => $"{e.Name}:0x{e.Mask:x}"));

    public void Dispose() => close(fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_init1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_add_watch(int fd, string path, uint mask);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr read(int fd, byte[] buffer, IntPtr count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
