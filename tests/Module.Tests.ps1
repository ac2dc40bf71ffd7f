#Requires -Version 5.1
# Pester 5. What a PowerShell user sees of the module itself: the manifest, the commands, help and tab
# completion (formatting: Format.Tests.ps1).

Describe 'The ZulipAuth module' -Tag 'Module' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        $modulePath = Join-Path $PSScriptRoot '../out/ZulipAuth'
        Import-Module $modulePath -Force

        $expectedCmdlets = @('Export-ZulipRc', 'Get-ZulipApiKey', 'Get-ZulipServerSettings', 'Import-ZulipRc', 'Test-ZulipApiKey')
        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $key = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password)
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    Context 'manifest and commands' {
        It 'passes Test-ModuleManifest, for both editions from 5.1 on, exporting exactly the five cmdlets' {
            $manifest = Test-ModuleManifest -Path (Join-Path $modulePath 'ZulipAuth.psd1')

            $manifest.Name | Should -Be 'ZulipAuth'
            $manifest.PowerShellVersion | Should -Be ([version]'5.1')
            @($manifest.CompatiblePSEditions) | Should -Be @('Desktop', 'Core')
            @($manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be $expectedCmdlets
            $manifest.ExportedFunctions.Count | Should -Be 0
            $manifest.ExportedAliases.Count | Should -Be 0
        }

        It 'gives every command an approved verb and a declared output type' {
            $commands = @(Get-Command -Module ZulipAuth | Sort-Object Name)
            $approved = @(Get-Verb | ForEach-Object Verb)

            @($commands | ForEach-Object Name) | Should -Be $expectedCmdlets
            foreach ($command in $commands) {
                "$($command.CommandType)" | Should -Be 'Cmdlet'
                $approved | Should -Contain $command.Verb
                $command.OutputType.Count | Should -BeGreaterThan 0 -Because "$($command.Name) declares what it emits"
            }
        }

        It 'loads the assembly version the manifest declares' {
            [ZulipAuth.ZulipApiKey].Assembly.GetName().Version.ToString(3) | Should -Be (Get-Module ZulipAuth).Version.ToString(3)
        }

        It 'asks for confirmation-style parameters only where it writes: Export-ZulipRc supports -WhatIf and -Confirm' {
            (Get-Command Export-ZulipRc).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command Export-ZulipRc).Parameters.Keys | Should -Contain 'Confirm'
            (Get-Command Get-ZulipApiKey).Parameters.Keys | Should -Not -Contain 'WhatIf'
        }

        It 'names the transport parameters of <Name> as Invoke-RestMethod does' -ForEach @(
            @{ Name = 'Get-ZulipApiKey' }
            @{ Name = 'Get-ZulipServerSettings' }
            @{ Name = 'Test-ZulipApiKey' }
        ) {
            $parameters = (Get-Command $Name).Parameters
            foreach ($parameter in 'TimeoutSec', 'MaximumRetryCount', 'RetryIntervalSec', 'SkipCertificateCheck', 'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials', 'NoProxy') {
                $parameters.Keys | Should -Contain $parameter
            }
        }
    }

    Context 'help' -Tag 'Help' {
        It '<Name> has written help: a synopsis, a description, examples, and every parameter described' -ForEach @(
            @{ Name = 'Get-ZulipApiKey' }
            @{ Name = 'Get-ZulipServerSettings' }
            @{ Name = 'Test-ZulipApiKey' }
            @{ Name = 'Export-ZulipRc' }
            @{ Name = 'Import-ZulipRc' }
        ) {
            $help = Get-Help -Name $Name -Full
            $synopsis = "$($help.Synopsis)".Trim()
            $description = (@($help.description) | ForEach-Object { $_.Text }) -join ' '
            $common = 'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction', 'ErrorVariable',
            'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm'
            $documented = @($help.parameters.parameter | ForEach-Object { $_.name })

            $synopsis | Should -Not -BeNullOrEmpty
            # Without a help file, Get-Help makes the synopsis from the syntax: "Get-ZulipApiKey [-Server] <string> ...".
            $synopsis | Should -Not -BeLike "$Name *"
            $description.Trim() | Should -Not -BeNullOrEmpty
            @($help.examples.example).Count | Should -BeGreaterOrEqual 2
            foreach ($parameter in (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
                $documented | Should -Contain $parameter
            }

            foreach ($parameter in @($help.parameters.parameter)) {
                ((@($parameter.description) | ForEach-Object { $_.Text }) -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) of $Name needs a description"
            }
        }
    }

    Context 'tab completion of -Server' -Tag 'Completion' {
        BeforeAll {
            $savedConfig = $env:ZULIP_CONFIG
            $zuliprc = Join-Path $TestDrive 'completion.zuliprc'
            [System.IO.File]::WriteAllText($zuliprc, "[api]`nemail=iago@zulip.com`nkey=$($iago.ApiKey)`nsite=https://chat.example.com`n")
            $env:ZULIP_CONFIG = $zuliprc
        }

        AfterAll {
            $env:ZULIP_CONFIG = $savedConfig
        }

        It 'offers the servers used in this session and the site of the zuliprc for <Name>' -ForEach @(
            @{ Name = 'Get-ZulipApiKey' }
            @{ Name = 'Get-ZulipServerSettings' }
            @{ Name = 'Test-ZulipApiKey' }
        ) {
            $line = "$Name -Server "

            $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText)

            $completions | Should -Contain $server.HttpUri.GetLeftPart([System.UriPartial]::Authority)
            $completions | Should -Contain 'https://chat.example.com'
        }

        It 'matches what was typed, with or without the scheme' {
            $line = 'Get-ZulipApiKey -Server chat.ex'

            $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText)

            $completions | Should -Be @('https://chat.example.com')
        }
    }
}
