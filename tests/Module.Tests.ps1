#Requires -Version 5.1
# Pester 5. The module as a PowerShell user gets it at a real prompt: installed with PSResourceGet from a
# repository, imported by name, and beside Invoke-RestMethod. What the manifest declares, the help and tab
# completion are the module tests' (ManifestTests, HelpTests, CompletionTests); formatting is Format.Tests.ps1.

Describe 'The ZulipAuth module' -Tag 'Module' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        $modulePath = Join-Path $PSScriptRoot '../out/ZulipAuth'
        Import-Module $modulePath -Force
    }

    Context 'installed with PSResourceGet' -Tag 'Install' {
        BeforeAll {
            # A repository in a local folder: the module's own folder is published as a package and saved
            # back, as Install-PSResource would from the PowerShell Gallery, with no network.
            $repositoryName = "ZulipAuthTest$([guid]::NewGuid().ToString('N').Substring(0, 8))"
            $repository = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'repository')
            $installed = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'modules')
            Register-PSResourceRepository -Name $repositoryName -Uri $repository.FullName -Trusted
            # The process that runs this file, so the child below is the same PowerShell (the pinned tool
            # runs as "dotnet pwsh.dll").
            $self = (Get-Process -Id $PID).Path
            $selfArguments = @(@([Environment]::GetCommandLineArgs()[0]) | Where-Object { $_ -like '*.dll' })
        }

        AfterAll {
            Unregister-PSResourceRepository -Name $repositoryName -ErrorAction SilentlyContinue
        }

        It 'publishes, saves and imports by name in a new session, exporting exactly the cmdlets the manifest lists' {
            Publish-PSResource -Path (Resolve-Path $modulePath).Path -Repository $repositoryName
            # A prerelease (the manifest's Prerelease) is found only when asked for, as from the Gallery.
            $published = Find-PSResource -Name ZulipAuth -Repository $repositoryName -Prerelease
            Save-PSResource -Name ZulipAuth -Repository $repositoryName -Path $installed.FullName -TrustRepository -Prerelease

            $script = "`$env:PSModulePath = '$($installed.FullName)' + [IO.Path]::PathSeparator + `$env:PSModulePath; " +
            "Import-Module ZulipAuth -ErrorAction Stop; (Get-Module ZulipAuth).ModuleBase; (Get-Command -Module ZulipAuth | Sort-Object Name).Name -join ','"
            $lines = @(& $self @selfArguments -NoProfile -NonInteractive -Command $script 2>&1)

            $LASTEXITCODE | Should -Be 0 -Because ($lines -join "`n")
            $lines[0] | Should -BeLike "$($installed.FullName)*" -Because 'the saved copy is what was imported'
            $listed = (Import-PowerShellDataFile -Path (Join-Path $modulePath 'ZulipAuth.psd1')).CmdletsToExport | Sort-Object
            $lines[1] | Should -Be ($listed -join ',')
            $listed.Count | Should -BeGreaterThan 5
            @(Get-ChildItem -Path $installed.FullName -Recurse -Filter *.dll).Name | Should -Be @('ZulipAuth.dll')
            $manifest = Import-PowerShellDataFile -Path (Join-Path $modulePath 'ZulipAuth.psd1')
            $published.Prerelease | Should -BeExactly $manifest.PrivateData.PSData.Prerelease
            "$($published.Version)" | Should -BeExactly $manifest.ModuleVersion
        }
    }

    Context 'beside Invoke-RestMethod' -Tag 'Interop' {
        It 'names and types the transport parameters of <Name> as Invoke-RestMethod does' -ForEach @(
            @{ Name = 'Get-ZulipApiKey' }
            @{ Name = 'Get-ZulipServerSettings' }
            @{ Name = 'Test-ZulipApiKey' }
            @{ Name = 'Reset-ZulipApiKey' }
            @{ Name = 'Get-ZulipBotApiKey' }
            @{ Name = 'Reset-ZulipBotApiKey' }
        ) {
            $ours = (Get-Command $Name).Parameters
            $theirs = @((Get-Command Invoke-RestMethod).Parameters.Values)
            # PowerShell 7.6 renamed -TimeoutSec to -ConnectionTimeoutSeconds and kept the old name as an alias.
            foreach ($parameter in 'TimeoutSec', 'MaximumRetryCount', 'RetryIntervalSec', 'SkipCertificateCheck', 'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials', 'NoProxy', 'Certificate', 'CertificateThumbprint') {
                $match = @($theirs | Where-Object { $_.Name -eq $parameter -or $_.Aliases -contains $parameter })
                $match.Count | Should -Be 1 -Because "Invoke-RestMethod has -$parameter"
                $ours.Keys | Should -Contain $parameter
                $ours[$parameter].ParameterType.Name | Should -Be $match[0].ParameterType.Name -Because "-$parameter takes what Invoke-RestMethod's takes"
            }
        }

        It 'asks for -WhatIf and -Confirm exactly where it writes: a file or a key' {
            $writers = 'Export-ZulipRc', 'Reset-ZulipApiKey', 'Reset-ZulipBotApiKey'
            foreach ($command in Get-Command -Module ZulipAuth) {
                $asks = $command.Parameters.Keys -contains 'WhatIf' -and $command.Parameters.Keys -contains 'Confirm'
                $asks | Should -Be ($writers -contains $command.Name) -Because "$($command.Name) $(if ($writers -contains $command.Name) { 'changes' } else { 'only reads' }) something"
            }
            (Get-Command Reset-ZulipApiKey).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        }
    }
}
