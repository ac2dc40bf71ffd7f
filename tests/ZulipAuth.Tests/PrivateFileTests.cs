using System.Text;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// Files that hold a key: created private (mode 0600 on Linux and macOS, checked with the OS's own view of the
/// file), never overwritten unless asked, replaced atomically.
/// </summary>
public sealed class PrivateFileTests : IDisposable
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string directory = Path.Combine(Path.GetTempPath(), "zulipauth-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] Rc(string key) => Encoding.UTF8.GetBytes(ZulipRcFile.Format("iago@zulip.com", key, TestSupport.Server));

    private static void AssertPrivate(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            Assert.Equal(UnixFileMode.None, mode & GroupOrOthers);
            Assert.True(mode.HasFlag(UnixFileMode.UserRead) && mode.HasFlag(UnixFileMode.UserWrite), $"mode {mode}");
        }

        Assert.False(PrivateFile.IsReadableByOthers(path));
    }

    [Fact]
    public void ANewFileHoldsExactlyTheContentAndIsPrivate()
    {
        var path = Path.Combine(directory, "sub", "zuliprc");

        PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: false);

        Assert.Equal(Rc(TestSupport.IagoKey), File.ReadAllBytes(path));
        AssertPrivate(path);
    }

    [Fact]
    public void AnExistingFileIsLeftUntouchedWithoutReplace()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "zuliprc");
        File.WriteAllText(path, "[api]\nkey=old\n");

        var e = Assert.Throws<ZulipApiException>(() => PrivateFile.Write(path, Rc("new-key"), replace: false));

        Assert.Equal(ZulipErrorId.ConfigExists, e.ErrorId);

        Assert.Equal("[api]\nkey=old\n", File.ReadAllText(path));
    }

    [Fact]
    public void ReplaceSwapsTheContentMakesItPrivateAndLeavesNoTemporaryFile()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "zuliprc");
        File.WriteAllText(path, "[api]\nkey=old\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            Assert.True(PrivateFile.IsReadableByOthers(path));
        }

        PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: true);

        Assert.Equal(Rc(TestSupport.IagoKey), File.ReadAllBytes(path));
        AssertPrivate(path);
        Assert.Equal(new[] { path }, Directory.GetFiles(directory));
    }

    [Fact]
    public void ReplaceAlsoCreatesAFileThatDoesNotExistYet()
    {
        var path = Path.Combine(directory, "zuliprc");

        PrivateFile.Write(path, Rc(TestSupport.IagoKey), replace: true);

        Assert.Equal(Rc(TestSupport.IagoKey), File.ReadAllBytes(path));
        AssertPrivate(path);
    }

    [Fact]
    public void IsReadableByOthersSeesGroupAndOtherBits()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "zuliprc");
        File.WriteAllText(path, "x");
        if (OperatingSystem.IsWindows())
        {
            Assert.False(PrivateFile.IsReadableByOthers(path));
            return;
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.False(PrivateFile.IsReadableByOthers(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        Assert.True(PrivateFile.IsReadableByOthers(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.OtherRead);
        Assert.True(PrivateFile.IsReadableByOthers(path));
    }
}
