using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The user's "default browser" for xdg-open (BROWSER=<see cref="Program"/>): a bash script that hands the URL it
/// is asked to open to this object over loopback and exits. Here the person logs in: <see cref="BrowserStandIn"/>
/// follows the SSO chain, and the final zulip:// Location goes to <c>xdg-open</c>, as a browser hands a link of
/// a scheme it does not know to the desktop. With <c>logsIn: false</c> the person never finishes the login.
/// </summary>
public sealed class ScriptedBrowser : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly bool logsIn;
    private readonly ConcurrentQueue<string> opened = new();
    private readonly TaskCompletionSource<string> handedOver = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ScriptedBrowser(string folder, bool logsIn)
    {
        this.logsIn = logsIn;
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Program = Path.Combine(folder, "standin-browser");
        File.WriteAllText(Program, $"#!/bin/bash\nexec 3<>/dev/tcp/127.0.0.1/{port} || exit 0\nprintf '%s\\n' \"$1\" >&3\nexec 3>&-\nexit 0\n");
        FileSystemProbe.SetMode(Program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _ = ServeAsync();
    }

    /// <summary>The program to name in BROWSER.</summary>
    public string Program { get; }

    /// <summary>The URLs the browser was asked to open.</summary>
    public IReadOnlyCollection<string> Opened => opened;

    /// <summary>Ends with what xdg-open said when it was given the zulip:// link (or why it never was).</summary>
    public Task<string> HandedOver => handedOver.Task;

    public bool WaitUntilOpened(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (opened.IsEmpty && clock.Elapsed < limit)
        {
            Thread.Sleep(20);
        }

        return !opened.IsEmpty;
    }

    private async Task ServeAsync()
    {
        try
        {
            using var client = await listener.AcceptTcpClientAsync();
            using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
            var url = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? "";
            opened.Enqueue(url);
            if (!logsIn)
            {
                handedOver.TrySetResult("the person did not log in");
                return;
            }

            var (zulipUrl, page) = await Task.Run(() => BrowserStandIn.Follow(url));
            if (zulipUrl == null)
            {
                handedOver.TrySetResult("the login did not end in a zulip:// redirect: " + page);
                return;
            }

            handedOver.TrySetResult(await Task.Run(() => OpenWithXdg(zulipUrl)));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or TimeoutException or HttpRequestException or InvalidOperationException)
        {
            handedOver.TrySetResult("the stand-in browser failed: " + e.Message);
        }
    }

    private static string OpenWithXdg(string zulipUrl)
    {
        var start = new ProcessStartInfo("xdg-open") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(zulipUrl);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(20_000))
        {
            process.Kill(entireProcessTree: true);
            return "xdg-open did not finish within 20 s";
        }

        return $"xdg-open exit {process.ExitCode} {error.Result.Trim()}".Trim();
    }

    public void Dispose() => listener.Stop();
}
