#Requires -Version 5.1
<#
.SYNOPSIS
    Starts and drives the local Zulip-compatible test server (tests/ZulipAuth.TestServer) from PowerShell.
.DESCRIPTION
    Dot-source this file, then:

        $server = Start-ZulipTestServer [-Ldap] [-OldServer] [-FeatureLevel 100] [-Development] [-Proxy]
        Get-ZulipApiKey -Server $server.HttpUri -Credential ...
        Set-ZulipTestServer -Server $server -Property PasswordAuthEnabled -Value $false
        Set-ZulipTestServerFault -Server $server -Kind Stall -Path /api/v1/fetch_api_key
        Get-ZulipTestServerRequestCount -Server $server -Path /api/v1/fetch_api_key -Method POST
        Stop-ZulipTestServer -Server $server

    The server runs as a child process (dotnet tests/ZulipAuth.TestServer/bin/<Configuration>/net10.0/ZulipAuth.TestServer.dll)
    bound to 127.0.0.1, and is driven through its standard input: one command line in, one answer line out
    ("ok", "ok <value>" or "error: <reason>"; see tests/ZulipAuth.TestServer/README.md). It stops when told
    to, and also by itself when this PowerShell process ends, because its standard input closes then.

    Nothing here builds: build.ps1 does, and Pester files call Initialize-ZulipTestBuild, which builds only
    when the module folder or the server is missing. Works on Windows PowerShell 5.1 and PowerShell 7 on
    Windows, Linux and macOS (hence .NET Framework-compatible APIs only: no ProcessStartInfo.ArgumentList).
#>

function Get-ZulipTestRepositoryRoot {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Split-Path -Path $PSScriptRoot -Parent
}

function Get-ZulipTestConfiguration {
    <#
    .SYNOPSIS
        The build configuration the tests use: $env:ZULIPAUTH_CONFIGURATION (build.ps1 sets it), else Debug.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $configuration = if ([string]::IsNullOrEmpty($env:ZULIPAUTH_CONFIGURATION)) { 'Debug' } else { $env:ZULIPAUTH_CONFIGURATION }
    if ($configuration -notin 'Debug', 'Release') {
        throw "ZULIPAUTH_CONFIGURATION is '$configuration'; it must be Debug or Release."
    }

    $configuration
}

function Get-ZulipTestServerPath {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [ValidateSet('Debug', 'Release')]
        [string] $Configuration = (Get-ZulipTestConfiguration)
    )
    Join-Path -Path (Get-ZulipTestRepositoryRoot) -ChildPath "tests/ZulipAuth.TestServer/bin/$Configuration/net10.0/ZulipAuth.TestServer.dll"
}

function Get-ZulipTestDotnetPath {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $dotnet = Get-Command -Name dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $dotnet) {
        throw 'The .NET SDK (dotnet) is not on the PATH; the test server and the build need it (https://dot.net).'
    }

    $dotnet.Source
}

function Initialize-ZulipTestBuild {
    <#
    .SYNOPSIS
        Builds the solution once when out/ZulipAuth or the test server is missing; otherwise does nothing.
    #>
    [CmdletBinding()]
    param(
        [ValidateSet('Debug', 'Release')]
        [string] $Configuration = (Get-ZulipTestConfiguration)
    )
    $root = Get-ZulipTestRepositoryRoot
    $needed = @(
        (Join-Path -Path $root -ChildPath 'out/ZulipAuth/ZulipAuth.dll'),
        (Get-ZulipTestServerPath -Configuration $Configuration)
    )
    if (-not ($needed | Where-Object { -not (Test-Path -LiteralPath $_) })) {
        return
    }

    # Native stderr lines are error records in Windows PowerShell; under a caller's 'Stop' they would end
    # the build midway. The exit code decides instead.
    $ErrorActionPreference = 'Continue'
    $output = & (Get-ZulipTestDotnetPath) build (Join-Path -Path $root -ChildPath 'ZulipAuth.sln') --configuration $Configuration 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet build failed with exit code $LASTEXITCODE`n$($output | Out-String)"
    }
}

function ConvertTo-ZulipTestServerArgument {
    # Quotes one argument for ProcessStartInfo.Arguments the way both .NET runtimes split it again
    # (the MSVCRT rules: backslashes only escape a quote, and must be doubled before one).
    [OutputType([string])]
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Value)
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') {
        return $Value
    }

    '"' + (($Value -replace '(\\*)"', '$1$1\"') -replace '(\\+)$', '$1$1') + '"'
}

function Read-ZulipTestServerLine {
    # One line of the server's standard output, or $null once it has closed. A read that times out stays
    # pending on the server object and is picked up by the next call: a StreamReader allows one read at a time.
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [int] $TimeoutMilliseconds
    )
    if ($null -eq $Server.PendingRead) {
        $Server.PendingRead = $Server.Process.StandardOutput.ReadLineAsync()
    }

    if (-not $Server.PendingRead.Wait([Math]::Max(0, $TimeoutMilliseconds))) {
        throw [System.TimeoutException]::new("The Zulip test server did not answer within $([Math]::Round($TimeoutMilliseconds / 1000.0, 1)) s.")
    }

    $line = $Server.PendingRead.Result
    $Server.PendingRead = $null
    $line
}

function Write-ZulipTestServerLine {
    # Bytes straight to the pipe: Windows PowerShell's Process.StandardInput writer starts with a byte order
    # mark when the console encoding is UTF-8, which would garble the first command. Commands are ASCII.
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [string] $Line
    )
    $bytes = [System.Text.Encoding]::ASCII.GetBytes($Line + "`n")
    $stream = $Server.Process.StandardInput.BaseStream
    $stream.Write($bytes, 0, $bytes.Length)
    $stream.Flush()
}

function Get-ZulipTestServerErrorOutput {
    # What the server wrote to stderr, once it has exited (it writes only when it cannot start).
    [OutputType([string])]
    param([Parameter(Mandatory)] [psobject] $Server)
    if ($Server.Process.HasExited -and $Server.ErrorOutput.Wait(2000)) {
        return $Server.ErrorOutput.Result.Trim()
    }

    ''
}

function Start-ZulipTestServer {
    <#
    .SYNOPSIS
        Starts the local Zulip-compatible server and returns HttpUri, HttpsUri, ProxyUri (with -Proxy) and Process.
    .PARAMETER Development
        A Zulip development environment: POST /api/v1/dev_fetch_api_key exists.
    .PARAMETER Ldap
        LDAP login names are accepted (ldapuser / ldap-pw logs in as ldap.user@zulip.com).
    .PARAMETER OldServer
        Answers like a server from before error codes (a failed login is 403 without "code").
    .PARAMETER FeatureLevel
        The API feature level to announce (default 400; below 171 the login answer has no user_id).
    .PARAMETER Proxy
        Also starts a CONNECT proxy on loopback that counts what it tunnels (see Get-ZulipTestServerProxyStats).
    .PARAMETER ProxyCredential
        The proxy demands these Basic credentials (implies -Proxy).
    .PARAMETER CertificatePemPath
        Writes the HTTPS certificate (self-signed, its own CA) as PEM to this path, for a CA bundle.
    .PARAMETER TimeoutSec
        How long to wait for the server to say "ready".
    .EXAMPLE
        $server = Start-ZulipTestServer -Ldap; try { ... } finally { Stop-ZulipTestServer -Server $server }
    #>
    [CmdletBinding()]
    [OutputType('ZulipTestServer')]
    param(
        [ValidateSet('Debug', 'Release')]
        [string] $Configuration = (Get-ZulipTestConfiguration),

        [switch] $Development,

        [switch] $Ldap,

        [switch] $OldServer,

        [ValidateRange(0, 100000)]
        [int] $FeatureLevel,

        [switch] $Proxy,

        [pscredential] $ProxyCredential,

        [string] $CertificatePemPath,

        [ValidateRange(1, 600)]
        [int] $TimeoutSec = 60
    )

    $dll = Get-ZulipTestServerPath -Configuration $Configuration
    if (-not (Test-Path -LiteralPath $dll)) {
        throw "The test server is not built: '$dll' is missing. Run ./build.ps1 (or dotnet build) first."
    }

    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.Add($dll)
    if ($Development) { $arguments.Add('--dev') }
    if ($Ldap) { $arguments.Add('--ldap') }
    if ($OldServer) { $arguments.Add('--old-server') }
    if ($PSBoundParameters.ContainsKey('FeatureLevel')) {
        $arguments.Add('--feature-level')
        $arguments.Add($FeatureLevel.ToString([System.Globalization.CultureInfo]::InvariantCulture))
    }

    if ($CertificatePemPath) {
        $arguments.Add('--cert-pem')
        $arguments.Add($CertificatePemPath)
    }

    if ($ProxyCredential) {
        # A throwaway credential for the loopback test proxy; the server splits USER:PASSWORD at the first ':'.
        $arguments.Add('--proxy-credential')
        $arguments.Add($ProxyCredential.UserName + ':' + $ProxyCredential.GetNetworkCredential().Password)
    }
    elseif ($Proxy) {
        $arguments.Add('--proxy')
    }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-ZulipTestDotnetPath))
    $startInfo.Arguments = ($arguments | ForEach-Object { ConvertTo-ZulipTestServerArgument -Value $_ }) -join ' '
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = [System.Text.UTF8Encoding]::new($false)
    $startInfo.StandardErrorEncoding = [System.Text.UTF8Encoding]::new($false)
    $startInfo.WorkingDirectory = Get-ZulipTestRepositoryRoot

    $process = [System.Diagnostics.Process]::Start($startInfo)
    $server = [pscustomobject]@{
        PSTypeName  = 'ZulipTestServer'
        HttpUri     = $null
        HttpsUri    = $null
        ProxyUri    = $null
        HttpPort    = 0
        HttpsPort   = 0
        Process     = $process
        PendingRead = $null
        # Read in the background from the start, so a chatty stderr can never block the server.
        ErrorOutput = $process.StandardError.ReadToEndAsync()
    }

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    $ready = $false
    try {
        while (-not $ready) {
            $line = Read-ZulipTestServerLine -Server $server -TimeoutMilliseconds ([int]($deadline - [DateTime]::UtcNow).TotalMilliseconds)
            if ($null -eq $line) {
                $null = $process.WaitForExit(5000)
                throw "The Zulip test server exited before it was ready (exit code $($process.ExitCode)). $(Get-ZulipTestServerErrorOutput -Server $server)"
            }

            if ($line -match '^http: (http://\S+)$') {
                $server.HttpUri = [uri]($Matches[1] + '/')
                $server.HttpPort = $server.HttpUri.Port
            }
            elseif ($line -match '^https: (https://\S+)$') {
                $server.HttpsUri = [uri]($Matches[1] + '/')
                $server.HttpsPort = $server.HttpsUri.Port
            }
            elseif ($line -match '^proxy: (http://\S+)$') {
                $server.ProxyUri = [uri]($Matches[1] + '/')
            }
            elseif ($line -eq 'ready') {
                $ready = $true
            }
        }

        if (-not $server.HttpUri -or -not $server.HttpsUri -or (($Proxy -or $ProxyCredential) -and -not $server.ProxyUri)) {
            throw 'The Zulip test server said "ready" without announcing every address it was asked for.'
        }
    }
    catch {
        Stop-ZulipTestServer -Server $server -TimeoutSec 2
        throw
    }

    $server
}

function Invoke-ZulipTestServerCommand {
    <#
    .SYNOPSIS
        Sends one stdin command (set, fault, clear-fault, sso, revoke, deactivate, reactivate, count,
        proxy-stats, reset, users, faults) and returns the value after "ok", if any; throws on "error: ...".
    .EXAMPLE
        Invoke-ZulipTestServerCommand -Server $server -Command 'revoke iago@zulip.com'
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [ValidateNotNullOrEmpty()] [string] $Command,
        [ValidateRange(1, 600)] [int] $TimeoutSec = 15
    )
    if ($Command -match '[^\x20-\x7E]' -or $Command.Trim() -eq 'stop') {
        throw "'$Command' is not one line of printable ASCII, or is 'stop' (use Stop-ZulipTestServer for that)."
    }

    if ($Server.Process.HasExited) {
        throw "The Zulip test server has exited (exit code $($Server.Process.ExitCode)). $(Get-ZulipTestServerErrorOutput -Server $Server)"
    }

    Write-ZulipTestServerLine -Server $Server -Line $Command
    $answer = Read-ZulipTestServerLine -Server $Server -TimeoutMilliseconds ($TimeoutSec * 1000)
    if ($null -eq $answer) {
        throw "The Zulip test server exited while running '$Command'. $(Get-ZulipTestServerErrorOutput -Server $Server)"
    }

    if ($answer -eq 'ok') {
        return
    }

    if ($answer.StartsWith('ok ', [System.StringComparison]::Ordinal)) {
        return $answer.Substring(3)
    }

    throw "The Zulip test server refused '$Command': $answer"
}

function Get-ZulipTestUser {
    <#
    .SYNOPSIS
        An account of the running test server, by name (Iago, Hamlet, Othello, Deactivated, Weak, Ldap,
        Passwordless, King), as its "users" command lists them: Email, Login, Password, ApiKey, UserId, ...
        The server is the one source of these facts; nothing here keeps a copy.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [string] $Name
    )
    $users = Invoke-ZulipTestServerCommand -Server $Server -Command 'users' | ConvertFrom-Json
    $user = @($users | Where-Object Name -EQ $Name)
    if ($user.Count -ne 1) {
        throw "The test server has no user '$Name'; it has $(@($users | ForEach-Object Name) -join ', ')."
    }

    $user[0]
}

function Get-ZulipTestServerFault {
    <#
    .SYNOPSIS
        The fault kinds the running test server can inject (Name, Description), as its "faults" command lists them.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [psobject] $Server)
    Invoke-ZulipTestServerCommand -Server $Server -Command 'faults' | ConvertFrom-Json
}

function Set-ZulipTestServer {
    <#
    .SYNOPSIS
        Sets a ServerBehaviour switch (PasswordAuthEnabled, LdapEnabled, RealmDeactivated, FeatureLevel,
        RateLimitAttempts, AcceptedHosts, RealmUrlOverride, FaultRetryAfterSeconds, ...) while the server runs;
        WebLogin.<Name> for the web sign-in switches (WebLogin.WaitForClick, WebLogin.CsrfTrustedOrigin, ...).
    .PARAMETER Value
        A bool, number, string, TimeSpan (sent as seconds), array (AcceptedHosts) or $null (clears a string).
    .EXAMPLE
        Set-ZulipTestServer -Server $server -Property AcceptedHosts -Value '127.0.0.1'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [ValidatePattern('^(WebLogin\.)?\w+$')] [string] $Property,
        [Parameter(Mandatory)] [AllowNull()] [object] $Value
    )
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $text = if ($null -eq $Value) {
        'null'
    }
    elseif ($Value -is [bool] -or $Value -is [switch]) {
        if ($Value) { 'true' } else { 'false' }
    }
    elseif ($Value -is [TimeSpan]) {
        $Value.TotalSeconds.ToString($invariant)
    }
    elseif ($Value -is [System.Array]) {
        ($Value | ForEach-Object { [System.Convert]::ToString($_, $invariant) }) -join ','
    }
    else {
        [System.Convert]::ToString($Value, $invariant)
    }

    if ($text.Length -eq 0 -or $text -match '\s') {
        # The command line is split on spaces, so such a value cannot reach the server intact.
        throw "Set-ZulipTestServer cannot send an empty value or one with spaces ('$text') for $Property."
    }

    $null = Invoke-ZulipTestServerCommand -Server $Server -Command "set $Property $text"
}

function Set-ZulipTestServerFault {
    <#
    .SYNOPSIS
        Injects a fault (a FaultKind: Stall, Delay, ResetConnection, Html502, Html200, NotFoundHtml, TruncatedJson,
        EndlessBody, OversizedJson, RedirectToHttps, RedirectToOtherHost, MethodRewritten, Json500, Status503,
        RateLimited, OtherJsonShape, EmptyBody, or None to heal).
    .PARAMETER Path
        Only requests to this exact path (e.g. /api/v1/fetch_api_key); every path when omitted.
    .PARAMETER Count
        How many matching requests get the fault; -1 (the default) means every one.
    .PARAMETER Method
        Only requests with this HTTP method.
    .EXAMPLE
        Set-ZulipTestServerFault -Server $server -Kind RateLimited -Path /api/v1/fetch_api_key -Count 2 -Method POST
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [ValidatePattern('^\w+$')] [string] $Kind,
        [ValidatePattern('^/\S*$')] [string] $Path,
        [ValidateRange(-1, [int]::MaxValue)] [int] $Count = -1,
        [ValidatePattern('^[A-Za-z]+$')] [string] $Method
    )
    $target = if ($Path) { $Path } else { '*' }
    $command = "fault $Kind $target $($Count.ToString([System.Globalization.CultureInfo]::InvariantCulture))"
    if ($Method) {
        $command += " $Method"
    }

    $null = Invoke-ZulipTestServerCommand -Server $Server -Command $command
}

function Get-ZulipTestServerRequestCount {
    <#
    .SYNOPSIS
        How many requests the server received on a path (optionally with one method) since it started or
        since the last Reset-ZulipTestServer.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory)] [psobject] $Server,
        [Parameter(Mandatory)] [ValidatePattern('^/\S*$')] [string] $Path,
        [ValidatePattern('^[A-Za-z]+$')] [string] $Method
    )
    $command = "count $Path"
    if ($Method) {
        $command += " $Method"
    }

    [int]::Parse((Invoke-ZulipTestServerCommand -Server $Server -Command $command), [System.Globalization.CultureInfo]::InvariantCulture)
}

function Get-ZulipTestServerProxyStats {
    <#
    .SYNOPSIS
        What the loopback proxy (Start-ZulipTestServer -Proxy) has seen: Tunnels (CONNECT), Requests (plain
        http), AuthChallenges (407s sent) and Refused.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [psobject] $Server)
    $numbers = (Invoke-ZulipTestServerCommand -Server $Server -Command 'proxy-stats') -split ' ' |
        ForEach-Object { [int]::Parse($_, [System.Globalization.CultureInfo]::InvariantCulture) }
    [pscustomobject]@{
        Tunnels        = $numbers[0]
        Requests       = $numbers[1]
        AuthChallenges = $numbers[2]
        Refused        = $numbers[3]
    }
}

function Reset-ZulipTestServer {
    <#
    .SYNOPSIS
        Clears faults, rate limits, revoked keys, (de)activations and the request counts. Switches changed with
        Set-ZulipTestServer stay as they are.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [psobject] $Server)
    $null = Invoke-ZulipTestServerCommand -Server $Server -Command 'reset'
}

function Stop-ZulipTestServer {
    <#
    .SYNOPSIS
        Asks the server to stop, waits, and kills it when it does not exit in time. Accepts $null, so an
        AfterAll can call it even when the BeforeAll that should have started the server failed.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)] [AllowNull()] [psobject] $Server,
        [ValidateRange(1, 600)] [int] $TimeoutSec = 10
    )
    process {
        if ($null -eq $Server -or $null -eq $Server.Process) {
            return
        }

        $process = $Server.Process
        try {
            if (-not $process.HasExited) {
                try {
                    Write-ZulipTestServerLine -Server $Server -Line 'stop'
                    $process.StandardInput.Close()
                }
                catch {
                    # The pipe is already gone when the server died on its own; waiting below settles it.
                    Write-Verbose "Could not send 'stop' to the test server: $($_.Exception.Message)"
                }

                if (-not $process.WaitForExit($TimeoutSec * 1000)) {
                    Write-Warning "The Zulip test server (process $($process.Id)) did not stop within $TimeoutSec s; killing it."
                    $process.Kill()
                    $null = $process.WaitForExit(5000)
                }
            }
        }
        finally {
            $process.Dispose()
            $Server.Process = $null
        }
    }
}
