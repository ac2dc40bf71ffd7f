using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Ctrl+C (PowerShell.Stop, which calls StopProcessing) ends an in-flight request or a retry wait within a
/// second, and leaves the runspace able to fetch a key.
/// </summary>
public class CancellationTests : ModuleTestBase
{
    private const string FetchPath = "/api/v1/fetch_api_key";

    [Fact]
    public void CtrlCEndsARequestToAStalledServer()
    {
        Behaviour.InjectFault(FaultKind.Stall, FetchPath, method: "POST");

        StopOnceThePostArrivesAndAssertItEndsQuickly("-TimeoutSec 30");

        Assert.Equal(1, Posts);
        AssertTheRunspaceStillFetchesAKey();
    }

    [Fact]
    public void CtrlCEndsGetZulipServerSettingsToo()
    {
        Behaviour.InjectFault(FaultKind.Stall, "/api/v1/server_settings");

        var (shell, pending) = Session.Begin("param($Server) Get-ZulipServerSettings -Server $Server -TimeoutSec 30", new Hashtable { ["Server"] = Http });
        using (shell)
        {
            WaitFor(() => Server.CountRequests("/api/v1/server_settings") == 1);
            AssertStopsWithinASecond(shell, pending);
        }

        AssertTheRunspaceStillFetchesAKey();
    }

    [Fact]
    public void CtrlCEndsARetryWait()
    {
        Behaviour.FaultRetryAfterSeconds = 30;
        Behaviour.InjectFault(FaultKind.RateLimited, FetchPath, method: "POST");

        StopOnceThePostArrivesAndAssertItEndsQuickly("-MaximumRetryCount 1 -RetryIntervalSec 1");

        // Stopped during the 30 s wait: the retry was never sent.
        Assert.Equal(1, Posts);
        AssertTheRunspaceStillFetchesAKey();
    }

    private void StopOnceThePostArrivesAndAssertItEndsQuickly(string extra)
    {
        var (shell, pending) = Session.Begin($"param($Server, $Credential) Get-ZulipApiKey -Server $Server -Credential $Credential {extra}",
            new Hashtable { ["Server"] = Http, ["Credential"] = Cred(TestUsers.Iago.Email, CanaryPassword) });
        using (shell)
        {
            WaitFor(() => Posts == 1);
            AssertStopsWithinASecond(shell, pending);
            var streams = shell.Streams;
            Assert.Empty(streams.Error);
            Assert.DoesNotContain(streams.Verbose.Select(v => v.Message).Concat(streams.Warning.Select(w => w.Message)).Concat(streams.Progress.Select(p => p.StatusDescription)),
                text => text.Contains(CanaryPassword, StringComparison.Ordinal));
        }
    }

    private static void AssertStopsWithinASecond(PowerShell shell, IAsyncResult pending)
    {
        // The call is now in flight (or waiting); give it a moment so the stop lands mid-operation.
        Thread.Sleep(300);
        Assert.False(pending.IsCompleted, "The call ended by itself before Ctrl+C.");

        var clock = Stopwatch.StartNew();
        shell.Stop();
        var ended = pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5));
        clock.Stop();

        Assert.True(ended, "The call did not end within 5 s of Ctrl+C.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Ctrl+C took {clock.Elapsed} to end the call.");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(pending));
    }

    private static void WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "The request never reached the server.");
            Thread.Sleep(20);
        }
    }
}
