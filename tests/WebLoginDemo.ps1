#Requires -Version 5.1
<#
.SYNOPSIS
    Demonstrates Get-ZulipApiKey -Web (the paste flow) against the local Zulip-compatible test server.
.DESCRIPTION
    Starts tests/ZulipAuth.TestServer as an organization that logs in only through GitHub and SAML, shows what
    it offers, runs `Get-ZulipApiKey -Web -Paste -AuthenticationMethod github`, shows the key object, checks it
    with Test-ZulipApiKey, and stops the server.

    By default nobody needs to be there: a scripted stand-in plays the person. It reads the link the cmdlet
    prints, follows the login over HTTP as a browser would, and "pastes" the token the page shows at the
    `Login token:` prompt. With -Interactive you are the person: open the printed link in your own browser,
    press "Sign in as iago@zulip.com" on the test identity provider's page, copy the token the next page shows
    and paste it at the prompt (within 15 seconds, as on a real Zulip server).

    The server listens on 127.0.0.1 only; the demo uses its http:// address, which the module accepts for
    loopback. Nothing is built unless out/ZulipAuth or the test server is missing (build.ps1 builds).
.PARAMETER Interactive
    Be the person yourself instead of the scripted stand-in.
.PARAMETER Configuration
    Which build of the test server to run (default: $env:ZULIPAUTH_CONFIGURATION, else Debug).
.EXAMPLE
    ./tests/WebLoginDemo.ps1
.EXAMPLE
    ./tests/WebLoginDemo.ps1 -Interactive
#>
[CmdletBinding()]
param(
    [switch] $Interactive,

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path -Path $PSScriptRoot -ChildPath 'TestServer.ps1')
if (-not $Configuration) {
    $Configuration = Get-ZulipTestConfiguration
}

# The person at the keyboard, in C# because the cmdlet calls the host from its own pipeline thread. C# 5 and
# .NET Framework APIs only, so Add-Type also compiles it on Windows PowerShell 5.1.
$standIn = @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace ZulipAuthDemo
{
    public sealed class StandInPersonHost : PSHost
    {
        private readonly StandInPersonUI ui;
        private readonly Guid id = Guid.NewGuid();

        public StandInPersonHost(PSHostUserInterface console) { ui = new StandInPersonUI(console); }

        public override CultureInfo CurrentCulture { get { return CultureInfo.CurrentCulture; } }
        public override CultureInfo CurrentUICulture { get { return CultureInfo.CurrentUICulture; } }
        public override Guid InstanceId { get { return id; } }
        public override string Name { get { return "ZulipAuthDemoStandIn"; } }
        public override PSHostUserInterface UI { get { return ui; } }
        public override Version Version { get { return new Version(1, 0); } }
        public override void EnterNestedPrompt() { throw new NotSupportedException(); }
        public override void ExitNestedPrompt() { throw new NotSupportedException(); }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    public sealed class StandInPersonUI : PSHostUserInterface
    {
        private static readonly Regex Link = new Regex(@"https?://\S+desktop_flow_otp=[0-9a-f]{64}");
        private static readonly Regex Token = new Regex("id=\"desktop-data\" readonly value=\"([0-9a-f]+)\"");
        private readonly PSHostUserInterface console;
        private readonly StringBuilder written = new StringBuilder();

        public StandInPersonUI(PSHostUserInterface console) { this.console = console; }

        public override PSHostRawUserInterface RawUI { get { return console.RawUI; } }

        public override SecureString ReadLineAsSecureString()
        {
            if (!written.ToString().EndsWith("Login token: ", StringComparison.Ordinal))
            {
                throw new NotSupportedException("The stand-in only answers the Login token prompt.");
            }

            MatchCollection links = Link.Matches(written.ToString());
            if (links.Count == 0)
            {
                throw new InvalidOperationException("No login link was printed.");
            }

            console.WriteLine();
            console.WriteLine("  [stand-in person] opens that link in a browser, logs in, copies the token and pastes it.");
            string page = Follow(new Uri(links[links.Count - 1].Value));
            Match token = Token.Match(page);
            if (!token.Success)
            {
                throw new InvalidOperationException("The login did not end on Zulip's token page.");
            }

            SecureString typed = new SecureString();
            foreach (char c in token.Groups[1].Value) { typed.AppendChar(c); }
            typed.MakeReadOnly();
            console.WriteLine("  [stand-in person] pasted " + token.Groups[1].Value.Length + " hex digits.");
            return typed;
        }

        private static string Follow(Uri url)
        {
            HttpClientHandler handler = new HttpClientHandler();
            handler.AllowAutoRedirect = false;
            handler.UseCookies = false;
            using (HttpClient client = new HttpClient(handler))
            {
                client.Timeout = TimeSpan.FromSeconds(15);
                for (int hop = 0; hop < 10; hop++)
                {
                    using (HttpResponseMessage response = client.GetAsync(url).Result)
                    {
                        int status = (int)response.StatusCode;
                        if (status >= 300 && status < 400 && response.Headers.Location != null)
                        {
                            url = new Uri(url, response.Headers.Location);
                            continue;
                        }

                        return response.Content.ReadAsStringAsync().Result;
                    }
                }
            }

            throw new InvalidOperationException("Too many redirects.");
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) { return defaultChoice; }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) { throw new NotSupportedException(); }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) { throw new NotSupportedException(); }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) { throw new NotSupportedException(); }
        public override string ReadLine() { throw new NotSupportedException(); }
        public override void Write(string value) { written.Append(value); console.Write(value); }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { Write(value); }
        public override void WriteLine(string value) { Write(value + "\n"); }
        public override void WriteErrorLine(string value) { console.WriteErrorLine(value); }
        public override void WriteDebugLine(string message) { console.WriteDebugLine(message); }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { console.WriteVerboseLine(message); }
        public override void WriteWarningLine(string message) { console.WriteWarningLine(message); }
    }
}
'@

Initialize-ZulipTestBuild -Configuration $Configuration
$module = Join-Path -Path (Get-ZulipTestRepositoryRoot) -ChildPath 'out/ZulipAuth'
Import-Module -Name $module -Force
$server = Start-ZulipTestServer -Configuration $Configuration
try {
    # An organization without passwords: GitHub and SAML only, as many that get ZulipPasswordAuthDisabled today.
    Set-ZulipTestServer -Server $server -Property PasswordAuthEnabled -Value $false
    $null = Invoke-ZulipTestServerCommand -Server $server -Command 'sso github,saml'
    Write-Host "`nLocal Zulip-compatible server: $($server.HttpUri)`n"
    Write-Host 'PS> (Get-ZulipServerSettings -Server $server.HttpUri).ExternalAuthenticationMethods'
    (Get-ZulipServerSettings -Server $server.HttpUri).ExternalAuthenticationMethods | Out-Host

    $command = 'Get-ZulipApiKey -Server $server.HttpUri -Web -Paste -AuthenticationMethod github'
    Write-Host "PS> `$key = $command"
    if ($Interactive) {
        Set-ZulipTestServer -Server $server -Property WebLogin.WaitForClick -Value $true
        $key = Get-ZulipApiKey -Server $server.HttpUri -Web -Paste -AuthenticationMethod github
    }
    else {
        $references = if ($PSVersionTable.PSEdition -eq 'Desktop') { @('System.Net.Http') } else { @() }
        if (-not ('ZulipAuthDemo.StandInPersonHost' -as [type])) {
            Add-Type -TypeDefinition $standIn -ReferencedAssemblies $references
        }

        $person = New-Object -TypeName ZulipAuthDemo.StandInPersonHost -ArgumentList $Host.UI
        $runspace = [runspacefactory]::CreateRunspace($person, [initialsessionstate]::CreateDefault2())
        $shell = [powershell]::Create()
        try {
            $runspace.Open()
            $shell.Runspace = $runspace
            $null = $shell.AddScript('param($Module, $Server) Import-Module -Name $Module; Get-ZulipApiKey -Server $Server -Web -Paste -AuthenticationMethod github').
                AddParameter('Module', $module).AddParameter('Server', $server.HttpUri)
            $key = $shell.Invoke() | Select-Object -First 1
            if ($shell.Streams.Error.Count -gt 0) {
                throw "Get-ZulipApiKey -Web failed: $($shell.Streams.Error[0])"
            }
        }
        finally {
            $shell.Dispose()
            $runspace.Dispose()
        }
    }

    if (-not $key) {
        throw 'Get-ZulipApiKey -Web returned no key.'
    }

    Write-Host 'PS> $key | Format-List'
    $key | Format-List | Out-Host
    Write-Host 'PS> $key | Test-ZulipApiKey'
    $key | Test-ZulipApiKey | Out-Host
}
finally {
    Stop-ZulipTestServer -Server $server
}
