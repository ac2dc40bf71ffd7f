using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The browser flow for real on Linux: the cmdlet installs its zulip: handler with xdg-mime and opens the login
/// link with xdg-open; the "browser" (BROWSER, a stand-in) logs in over HTTP and hands the zulip:// redirect to
/// xdg-open, which must reach that handler and through it the waiting cmdlet. After every ending (key, refused
/// redirect, time limit, Ctrl+C) the handler's files are gone and the previous default is back.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class WebLoginBrowserTests(ITestOutputHelper output) : ModuleTestBase
{
    private readonly XdgSandbox desktop = new();
    private readonly RecordingHost host = new();
    private PsSession web = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        web = new PsSession(host);
        Behaviour.PasswordAuthEnabled = false;
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub()];
    }

    public override async Task DisposeAsync()
    {
        web.Dispose();
        await base.DisposeAsync();
        desktop.Dispose();
    }

    private ScriptedBrowser Browser(bool logsIn)
    {
        var browser = new ScriptedBrowser(desktop.Root, logsIn);
        desktop.SetBrowser(browser.Program);
        return browser;
    }

    private PsResult WebLogin(int timeoutSec = 60) =>
        web.RunWith($"param($Server) Get-ZulipApiKey -Server $Server -Web -SkipCertificateCheck -TimeoutSec {timeoutSec}", new Hashtable { ["Server"] = Https });

    private static string Plain(PSObject key) => ((PSCredential)key.Properties["Credential"].Value).GetNetworkCredential().Password;

    private static string Otp(ScriptedBrowser browser) =>
        Regex.Match(Assert.Single(browser.Opened), "[?&]mobile_flow_otp=([0-9a-f]{64})(&|$)") is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("The login link carries no mobile_flow_otp.");

    /// <summary>Nothing of the handler is left, and zulip: links go where they went before the login.</summary>
    private void AssertHandlerGoneAndDefaultRestored(string? previousDefault, string? mimeAppsListBefore)
    {
        Assert.Empty(desktop.HandlerFiles);
        Assert.Equal(previousDefault, desktop.QueryDefault());
        Assert.Equal(mimeAppsListBefore, desktop.ReadMimeAppsList());
    }

    private void AssertTheKeyIsNowhere(PsResult result, ScriptedBrowser browser)
    {
        result.AssertNoSecret(TestUsers.Iago.ApiKey, Otp(browser));
        Assert.DoesNotContain(TestUsers.Iago.ApiKey, host.Written);
        Assert.DoesNotContain(Otp(browser), host.Written);
        Assert.Empty(desktop.FilesContaining(TestUsers.Iago.ApiKey));
        Assert.Empty(desktop.FilesContaining(Otp(browser)));
    }

    [Fact]
    public async Task AnSsoOnlyOrganizationGivesTheKeyThroughTheTemporaryHandlerAndTheOldOneComesBack()
    {
        var previous = desktop.InstallPreviousHandler();
        var before = desktop.ReadMimeAppsList();
        using var browser = Browser(logsIn: true);

        var result = WebLogin();

        Assert.Equal("xdg-open exit 0", await browser.HandedOver.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Output);
        Assert.Equal(TestUsers.Iago.Email, key.Properties["Email"].Value);
        Assert.Equal(TestUsers.Iago.UserId, key.Properties["UserId"].Value);
        Assert.Equal(TestUsers.Iago.ApiKey, Plain(key));
        Assert.StartsWith(Https + "/accounts/login/social/github?mobile_flow_otp=", Assert.Single(browser.Opened));
        AssertTheKeyIsNowhere(result, browser);
        AssertHandlerGoneAndDefaultRestored(previous, before);
    }

    [Fact]
    public async Task WithoutAPreviousHandlerItsLineIsRemovedAndOtherDefaultsAreKept()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(desktop.MimeAppsList)!);
        File.WriteAllText(desktop.MimeAppsList, "[Default Applications]\nx-scheme-handler/mailto=mail.desktop\n");
        var before = desktop.ReadMimeAppsList();
        using var browser = Browser(logsIn: true);

        var result = WebLogin();

        Assert.Equal("xdg-open exit 0", await browser.HandedOver.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.ApiKey, Plain(Assert.Single(result.Output)));
        AssertHandlerGoneAndDefaultRestored(null, before);
    }

    [Fact]
    public async Task WithoutAnyMimeAppsListTheOneItCreatedIsRemoved()
    {
        using var browser = Browser(logsIn: true);

        var result = WebLogin();

        Assert.Equal("xdg-open exit 0", await browser.HandedOver.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        AssertHandlerGoneAndDefaultRestored(null, null);
    }

    [Fact]
    public async Task ASystemWideDefaultStaysSystemWideWithNothingLeftInTheUsersList()
    {
        var previous = desktop.InstallSystemHandler();
        using var browser = Browser(logsIn: true);

        var result = WebLogin();

        Assert.Equal("xdg-open exit 0", await browser.HandedOver.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        AssertHandlerGoneAndDefaultRestored(previous, null);
    }

    [Fact]
    public async Task ARedirectForAnotherRealmIsRefused()
    {
        var previous = desktop.InstallPreviousHandler();
        var before = desktop.ReadMimeAppsList();
        Behaviour.WebLogin.RedirectRealmOverride = "https://evil.example.com";
        using var browser = Browser(logsIn: true);

        var result = WebLogin();

        Assert.Equal("xdg-open exit 0", await browser.HandedOver.WaitAsync(TimeSpan.FromSeconds(60)));
        var error = result.SingleError();
        AssertError(error, "ZulipWebLoginRedirectInvalid", ErrorCategory.SecurityError);
        Assert.Contains("evil.example.com", error.ToString());
        Assert.Empty(result.Output);
        AssertTheKeyIsNowhere(result, browser);
        AssertHandlerGoneAndDefaultRestored(previous, before);
    }

    [Fact]
    public async Task AMalformedKeyIsRefused()
    {
        var previous = desktop.InstallPreviousHandler();
        var before = desktop.ReadMimeAppsList();
        Behaviour.WebLogin.RedirectKeyOverride = new string('a', 62);
        using var browser = Browser(logsIn: true);

        var result = WebLogin();

        Assert.Equal("xdg-open exit 0", await browser.HandedOver.WaitAsync(TimeSpan.FromSeconds(60)));
        AssertError(result.SingleError(), "ZulipWebLoginRedirectInvalid", ErrorCategory.SecurityError);
        Assert.Empty(result.Output);
        AssertTheKeyIsNowhere(result, browser);
        AssertHandlerGoneAndDefaultRestored(previous, before);
    }

    [Fact]
    public void TheTimeLimitEndsTheWait()
    {
        var previous = desktop.InstallPreviousHandler();
        var before = desktop.ReadMimeAppsList();
        using var browser = Browser(logsIn: false);
        var clock = Stopwatch.StartNew();

        var result = WebLogin(timeoutSec: 2);

        clock.Stop();
        Assert.Single(browser.Opened);
        AssertError(result.SingleError(), "ZulipWebLoginTimeout", ErrorCategory.OperationTimeout);
        Assert.Contains("-TimeoutSec", result.Errors[0].ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"A 2 s limit took {clock.Elapsed}.");
        Assert.Empty(result.Output);
        AssertHandlerGoneAndDefaultRestored(previous, before);
    }

    [Fact]
    public void CtrlCEndsTheWaitAndRemovesTheHandler()
    {
        var previous = desktop.InstallPreviousHandler();
        var before = desktop.ReadMimeAppsList();
        using var browser = Browser(logsIn: false);

        var (shell, pending) = web.Begin("param($Server) Get-ZulipApiKey -Server $Server -Web -SkipCertificateCheck -TimeoutSec 120", new Hashtable { ["Server"] = Https });
        using (shell)
        {
            Assert.True(browser.WaitUntilOpened(TimeSpan.FromSeconds(60)), "The login link was never opened.");
            // The browser is open and the cmdlet waits: its handler is the default now.
            Assert.Equal(2, desktop.HandlerFiles.Length);
            Assert.StartsWith("zulipauth-login-", desktop.QueryDefault());
            Thread.Sleep(300);
            Assert.False(pending.IsCompleted, "The wait ended by itself before Ctrl+C.");

            var clock = Stopwatch.StartNew();
            shell.Stop();
            var ended = pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
            clock.Stop();
            output.WriteLine($"Ctrl+C to stopped, handler removed: {clock.ElapsedMilliseconds} ms");

            Assert.True(ended, "The wait did not end within 10 s of Ctrl+C.");
            // Stop waits for the cleanup, which runs xdg-mime: allow for a loaded machine.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Ctrl+C took {clock.Elapsed} to end the wait.");
            Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
            Assert.Empty(shell.Streams.Error);
        }

        AssertHandlerGoneAndDefaultRestored(previous, before);
    }

    [Fact]
    public void AChangeMadeDuringTheLoginIsKeptAndOnlyTheHandlersLineGoes()
    {
        var previous = desktop.InstallPreviousHandler();
        using var browser = Browser(logsIn: false);

        var (shell, pending) = web.Begin("param($Server) Get-ZulipApiKey -Server $Server -Web -SkipCertificateCheck -TimeoutSec 120", new Hashtable { ["Server"] = Https });
        using (shell)
        {
            Assert.True(browser.WaitUntilOpened(TimeSpan.FromSeconds(60)), "The login link was never opened.");
            // Meanwhile the user picks a mail program.
            XdgSandbox.Xdg("xdg-mime", "default", "mail.desktop", "x-scheme-handler/mailto");
            shell.Stop();
            Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "The wait did not end within 10 s of Ctrl+C.");
        }

        Assert.Empty(desktop.HandlerFiles);
        Assert.Equal(previous, desktop.QueryDefault());
        var list = desktop.ReadMimeAppsList()!;
        Assert.Contains("x-scheme-handler/mailto=mail.desktop", list);
        Assert.Contains($"{XdgSandbox.ZulipMime}={previous}", list);
        Assert.DoesNotContain("zulipauth-login-", list);
    }

    [Fact]
    public void WithoutADisplayItUsesThePasteFlowAndInstallsNothing()
    {
        Environment.SetEnvironmentVariable("DISPLAY", null);
        using var browser = Browser(logsIn: true);
        var person = new WebLoginHost();
        using var ssh = new PsSession(person);

        var result = ssh.RunWith("param($Server) Get-ZulipApiKey -Server $Server -Web -SkipCertificateCheck -TimeoutSec 60", new Hashtable { ["Server"] = Https });

        Assert.Empty(result.Errors);
        Assert.Equal(TestUsers.Iago.ApiKey, Plain(Assert.Single(result.Output)));
        Assert.Contains(result.Verbose, v => v.Contains("paste flow", StringComparison.Ordinal) && v.Contains("DISPLAY", StringComparison.Ordinal));
        Assert.Empty(browser.Opened);
        Assert.Empty(desktop.HandlerFiles);
        Assert.Null(desktop.ReadMimeAppsList());
    }
}
