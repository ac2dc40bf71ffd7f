#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates ZulipAuth. A thin wrapper over the .NET SDK: everything here also works
    as plain `dotnet build` / `dotnet test` without PowerShell.
.PARAMETER Task
    Build  - compile and lay out the module folder out/ZulipAuth (the artifact users install).
    Test   - dotnet test (unit and hosted-engine module tests), then the Pester files when Pester 5 is installed.
    Demo   - build, start the local Zulip-compatible server, fetch iago's key, show it, stop the server.
    Clean  - remove out/ and every bin/ and obj/ folder.
.PARAMETER Configuration
    Debug (default) or Release.
.EXAMPLE
    ./build.ps1 -Task Demo
.EXAMPLE
    ./build.ps1 -Task Test -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'ZulipAuth.sln') --configuration $Configuration
    Write-Host "Module folder: $(Join-Path $root 'out/ZulipAuth')"
}

function Invoke-Test {
    Invoke-Dotnet test (Join-Path $root 'ZulipAuth.sln') --configuration $Configuration
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed, so tests/*.Tests.ps1 were not run (Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser).'
        return
    }
    Import-Module $pester -Force
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    # The Pester files start the test server of the configuration just built (tests/TestServer.ps1 reads this).
    $savedConfiguration = $env:ZULIPAUTH_CONFIGURATION
    $env:ZULIPAUTH_CONFIGURATION = $Configuration
    try {
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        $env:ZULIPAUTH_CONFIGURATION = $savedConfiguration
    }
    if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
}

function Invoke-Demo {
    Invoke-Build
    . (Join-Path $root 'tests/TestServer.ps1')
    $server = Start-ZulipTestServer -Configuration $Configuration
    try {
        Import-Module (Join-Path $root 'out/ZulipAuth') -Force
        Write-Host "`nLocal Zulip-compatible server: $($server.HttpUri)  $($server.HttpsUri)`n"
        Write-Host 'PS> Get-ZulipServerSettings -Server $server.HttpUri'
        Get-ZulipServerSettings -Server $server.HttpUri | Out-Host

        # The development environment's administrator; the password is the development environment's own.
        $credential = [pscredential]::new('iago@zulip.com', (ConvertTo-SecureString 'abcd1234' -AsPlainText -Force))
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
}

function Invoke-Clean {
    foreach ($path in @('out') + @(Get-ChildItem -Path (Join-Path $root 'src'), (Join-Path $root 'tests') -Directory -Recurse -Include bin, obj | ForEach-Object FullName)) {
        $full = if ([System.IO.Path]::IsPathRooted($path)) { $path } else { Join-Path $root $path }
        if (Test-Path $full) { Remove-Item -LiteralPath $full -Recurse -Force }
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
