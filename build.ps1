#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates ZulipAuth. Run it in the pinned PowerShell, which needs only the .NET SDK:
    `dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test`.
.PARAMETER Task
    Build  - compile and lay out the module folder out/ZulipAuth (the artifact users install).
    Test   - build, run the xunit tests (unit and hosted-engine module tests), then Invoke-Pester over
             tests/*.Tests.ps1 against out/ZulipAuth; results in out/test-results/ (TRX and NUnit XML).
             Fails on any failed test and on any skipped one that does not name its platform; ends with
             one line "N passed, M failed" for the whole run. On Linux the web-login tests need xdg-open
             (xdg-utils): as root with apt-get (a fresh CI machine) Test installs it; otherwise it says so.
    Demo   - build, start the local Zulip-compatible server, fetch iago's key, show it, stop the server; then
             the web login (tests/WebLoginDemo.ps1) against an SSO-only organization on the same server.
    Clean  - remove out/ and every bin/ and obj/ folder of src/, tests/ and tools/.
.PARAMETER Configuration
    Debug (default) or Release.
.PARAMETER UseInstalledPester
    Use the newest installed Pester 5 (Install-Module Pester) instead of the pinned one from NuGet.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Demo
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    [switch] $UseInstalledPester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$resultsDir = Join-Path $root 'out/test-results'

# The pinned Pester: tools/Pester/Pester.csproj downloads this package version into the NuGet cache.
$pinnedPesterVersion = '5.9.1'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    # To the host, not the output: a function that calls this returns only what it means to.
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'ZulipAuth.sln') --configuration $Configuration
    Write-Host "Module folder: $(Join-Path $root 'out/ZulipAuth')"
}

function Get-PesterModulePath {
    if ($UseInstalledPester) {
        $installed = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' } |
            Sort-Object Version -Descending | Select-Object -First 1
        if (-not $installed) { throw 'No Pester 5 is installed (Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser), so -UseInstalledPester cannot be honoured.' }
        return $installed.Path
    }

    Invoke-Dotnet restore (Join-Path $root 'tools/Pester/Pester.csproj') --verbosity quiet
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $manifest = Join-Path $packages "pester/$pinnedPesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) { throw "Pester $pinnedPesterVersion was restored but '$manifest' is missing." }
    $manifest
}

function Get-TrxCount {
    # Counts of the TRX files dotnet test wrote, and the skipped tests whose reason does not name a platform.
    param([string[]] $Path)
    $passed = 0; $failed = 0; $skipped = 0; $unexplained = [System.Collections.Generic.List[string]]::new()
    foreach ($file in $Path) {
        [xml] $trx = Get-Content -LiteralPath $file -Raw
        $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
        foreach ($result in (Select-Xml -Xml $trx -XPath '//t:UnitTestResult' -Namespace $ns | ForEach-Object Node)) {
            switch ($result.outcome) {
                'Passed' { $passed++ }
                'NotExecuted' {
                    $skipped++
                    $reason = "$(Select-Xml -Xml $result -XPath './/t:Message' -Namespace $ns | ForEach-Object { $_.Node.InnerText })"
                    if ($reason -notmatch '^Platform:') { $unexplained.Add("$($result.testName): '$reason'") }
                }
                default { $failed++ }
            }
        }
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped; Unexplained = $unexplained }
}

function Invoke-XunitLayer {
    $trxDir = Join-Path $resultsDir 'xunit'
    if (Test-Path -LiteralPath $trxDir) { Remove-Item -LiteralPath $trxDir -Recurse -Force }
    # dotnet test's exit code is read after the counts, so a failure still shows the whole run's summary.
    & dotnet test (Join-Path $root 'ZulipAuth.sln') --configuration $Configuration --no-build --logger trx --results-directory $trxDir | Out-Host
    $exitCode = $LASTEXITCODE
    $trx = @(Get-ChildItem -LiteralPath $trxDir -Filter '*.trx' -ErrorAction SilentlyContinue | ForEach-Object FullName)
    $counts = Get-TrxCount -Path $trx
    if ($exitCode -ne 0 -and $counts.Failed -eq 0) { $counts.Failed = 1; Write-Warning "dotnet test failed with exit code $exitCode before reporting a failed test." }
    if ($trx.Count -eq 0) { $counts.Failed++; Write-Warning 'dotnet test wrote no TRX file.' }
    $counts
}

function Invoke-PesterLayer {
    # Pester's files run as a user writes scripts, not under this build script's strict mode.
    Set-StrictMode -Off
    Import-Module (Get-PesterModulePath) -Force
    $pester = Get-Module Pester
    Write-Host "Pester $($pester.Version) from $($pester.ModuleBase); PowerShell $($PSVersionTable.PSVersion)"
    $config = New-PesterConfiguration
    $config.Run.Path = Get-ChildItem -Path (Join-Path $root 'tests') -Filter '*.Tests.ps1' | ForEach-Object FullName
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Normal'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = Join-Path $resultsDir 'pester.xml'
    # The Pester files start the test server of the configuration just built (tests/TestServer.ps1 reads this).
    $savedConfiguration = $env:ZULIPAUTH_CONFIGURATION
    $env:ZULIPAUTH_CONFIGURATION = $Configuration
    try {
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        $env:ZULIPAUTH_CONFIGURATION = $savedConfiguration
    }

    # A skip is allowed only where the test says which platform it needs, with a tag "Platform:<name>".
    $unexplained = @($result.Skipped | Where-Object { -not ($_.Tag -like 'Platform:*') } | ForEach-Object { $_.ExpandedPath })
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    [pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount; Unexplained = $unexplained }
}

function Install-TestPrerequisite {
    # The web-login tests hand a zulip:// URL to xdg-open, as a browser does, to reach the handler the cmdlet
    # installs; xdg-utils is a Debian package, so a root shell on a fresh machine (CI) installs it here.
    if (-not $IsLinux -or (Get-Command xdg-open -ErrorAction SilentlyContinue)) { return }
    if ((& id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        throw 'The web-login tests need xdg-open: install xdg-utils (sudo apt-get install -y xdg-utils) and run the tests again.'
    }

    Write-Host 'Installing xdg-utils for the web-login tests (apt-get) ...'
    & apt-get update -qq | Out-Null
    & apt-get install -y -qq --no-install-recommends xdg-utils | Out-Null
    if ($LASTEXITCODE -ne 0 -or -not (Get-Command xdg-open -ErrorAction SilentlyContinue)) { throw 'apt-get could not install xdg-utils, which the web-login tests need.' }
}

function Invoke-Test {
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    Install-TestPrerequisite
    Invoke-Build
    $null = New-Item -ItemType Directory -Force -Path $resultsDir
    $xunit = Invoke-XunitLayer
    $pester = Invoke-PesterLayer
    $unexplained = @($xunit.Unexplained) + @($pester.Unexplained)
    foreach ($name in $unexplained) { Write-Host "Skipped without a platform reason: $name" }
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed + $unexplained.Count
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host ''
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped; $([int]$clock.Elapsed.TotalSeconds) s; results in $resultsDir"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { throw "$failed test(s) failed or were skipped without a platform reason." }
}

function Invoke-Demo {
    Invoke-Build
    . (Join-Path $root 'tests/TestServer.ps1')
    $server = Start-ZulipTestServer -Configuration $Configuration
    try {
        Import-Module (Join-Path $root 'out/ZulipAuth') -Force
        # The development environment's administrator, as the test server knows it.
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        Write-Host "`nLocal Zulip-compatible server: $($server.HttpUri)  $($server.HttpsUri)`n"
        Write-Host 'PS> Get-ZulipServerSettings -Server $server.HttpUri'
        Get-ZulipServerSettings -Server $server.HttpUri | Out-Host

        $credential = [pscredential]::new($iago.Email, (ConvertTo-SecureString $iago.Password -AsPlainText -Force))
        Write-Host 'PS> $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $credential'
        $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $credential
        $key | Out-Host
        Write-Host 'PS> $key | Format-List'
        $key | Format-List | Out-Host
        Write-Host 'PS> $key | Test-ZulipApiKey'
        $key | Test-ZulipApiKey | Out-Host
    }
    finally {
        Stop-ZulipTestServer -Server $server
    }

    Write-Host "`nWeb login (an organization without passwords), with a scripted browser:`n"
    & (Join-Path $root 'tests/WebLoginDemo.ps1') -Configuration $Configuration
}

function Invoke-Clean {
    $folders = @(Get-ChildItem -Path (Join-Path $root 'src'), (Join-Path $root 'tests'), (Join-Path $root 'tools') -Directory -Recurse -Include bin, obj |
            ForEach-Object FullName)
    foreach ($full in @(Join-Path $root 'out') + $folders) {
        if (Test-Path -LiteralPath $full) { Remove-Item -LiteralPath $full -Recurse -Force }
    }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Clean' { Invoke-Clean }
    }
}
