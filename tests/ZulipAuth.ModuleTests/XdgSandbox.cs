using System.Diagnostics;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A Linux desktop as xdg-utils sees it, in temporary folders: HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, empty system
/// XDG dirs (so no real browser or handler of this machine can be reached), TMPDIR, a DISPLAY (xdg-open consults
/// scheme handlers only with one), no desktop-environment variables (so xdg-open takes its generic path, the one
/// that reads desktop entries itself), and BROWSER set to the given program. Dispose restores every variable.
/// </summary>
public sealed class XdgSandbox : IDisposable
{
    public const string ZulipMime = "x-scheme-handler/zulip";

    private static readonly string[] Variables =
    {
        "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "TMPDIR", "DISPLAY", "WAYLAND_DISPLAY", "BROWSER",
        "XDG_CURRENT_DESKTOP", "XDG_MENU_PREFIX", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID", "MATE_DESKTOP_SESSION_ID", "DESKTOP_SESSION",
        "DESKTOP", "LXQT_SESSION_CONFIG", "DBUS_SESSION_BUS_ADDRESS",
    };

    private readonly Dictionary<string, string?> saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public XdgSandbox()
    {
        RequireXdgUtils();
        Root = Directory.CreateTempSubdirectory("zulipauth-xdg-").FullName;
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Set("HOME", "home");
        Set("XDG_DATA_HOME", "home/.local/share");
        Set("XDG_CONFIG_HOME", "home/.config");
        Set("XDG_DATA_DIRS", "system-share");
        Set("XDG_CONFIG_DIRS", "system-xdg");
        Set("TMPDIR", "tmp");
        Environment.SetEnvironmentVariable("DISPLAY", ":97");
    }

    public string Root { get; }

    public string Applications => Path.Combine(Root, "home/.local/share/applications");

    public string MimeAppsList => Path.Combine(Root, "home/.config/mimeapps.list");

    /// <summary>The files the cmdlet's handler is made of, while it is installed.</summary>
    public string[] HandlerFiles => Directory.Exists(Applications) ? Directory.GetFiles(Applications, "zulipauth-login-*") : Array.Empty<string>();

    /// <summary>Fails (never skips) where xdg-utils is missing: the browser flow cannot be tested without it.</summary>
    public static void RequireXdgUtils()
    {
        foreach (var program in new[] { "xdg-open", "xdg-mime" })
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
            Assert.True(found, $"{program} is not installed: the browser flow is tested through xdg-utils. Install it: sudo apt-get install -y xdg-utils");
        }
    }

    public void SetBrowser(string program) => Environment.SetEnvironmentVariable("BROWSER", program);

    /// <summary>An application that owned zulip: links before the login (as the Zulip desktop app does), made the default with xdg-mime.</summary>
    public string InstallPreviousHandler()
    {
        const string name = "zulip-desktop-standin.desktop";
        Directory.CreateDirectory(Applications);
        File.WriteAllText(Path.Combine(Applications, name), "[Desktop Entry]\nType=Application\nName=Zulip (stand-in)\nExec=/bin/true %u\nMimeType=x-scheme-handler/zulip;\n");
        Xdg("xdg-mime", "default", name, ZulipMime);
        Assert.Equal(name, QueryDefault());
        return name;
    }

    /// <summary>A system-wide default (a Zulip app installed by the distribution): nothing in the user's mimeapps.list.</summary>
    public string InstallSystemHandler()
    {
        const string name = "zulip-system-standin.desktop";
        var applications = Path.Combine(Root, "system-share/applications");
        Directory.CreateDirectory(applications);
        File.WriteAllText(Path.Combine(applications, name), "[Desktop Entry]\nType=Application\nName=Zulip (system stand-in)\nExec=/bin/true %u\nMimeType=x-scheme-handler/zulip;\n");
        File.WriteAllText(Path.Combine(applications, "defaults.list"), $"[Default Applications]\n{ZulipMime}={name}\n");
        Assert.Equal(name, QueryDefault());
        return name;
    }

    public string? QueryDefault()
    {
        var answer = Xdg("xdg-mime", "query", "default", ZulipMime).Trim();
        return answer.Length == 0 ? null : answer;
    }

    public string? ReadMimeAppsList() => File.Exists(MimeAppsList) ? File.ReadAllText(MimeAppsList) : null;

    /// <summary>Every file under the sandbox (home, XDG folders, temp) that holds <paramref name="secret"/>.</summary>
    public List<string> FilesContaining(string secret) =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Where(f => File.ReadAllText(f).Contains(secret, StringComparison.Ordinal)).ToList();

    /// <summary>Runs an xdg-utils program in this sandbox (the variables are the process's), bounded in time.</summary>
    public static string Xdg(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within 30 s.");
        }

        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
        return output.Result;
    }

    private void Set(string name, string relative)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(path);
        Environment.SetEnvironmentVariable(name, path);
    }

    public void Dispose()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.Delete(Root, recursive: true);
    }
}
