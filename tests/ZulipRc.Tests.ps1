#Requires -Version 5.1
# Pester 5. Export-ZulipRc and Import-ZulipRc: the zuliprc file every Zulip client reads.

Describe 'Export-ZulipRc and Import-ZulipRc' -Tag 'ZulipRc' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $hamlet = Get-ZulipTestUser -Server $server -Name Hamlet
        $site = $server.HttpUri.GetLeftPart([System.UriPartial]::Authority)
        $zulipVariables = 'ZULIP_EMAIL', 'ZULIP_API_KEY', 'ZULIP_SITE', 'ZULIP_CONFIG'

        function Get-UnixFileMode {
            # Asked of the operating system, not of the module under test.
            param([Parameter(Mandatory)] [string] $Path)
            if ($IsMacOS) { & stat -f '%Lp' $Path } else { & stat -c '%a' $Path }
        }

        function New-TestFilePath {
            param([Parameter(Mandatory)] [string] $Name)
            Join-Path $TestDrive "$([guid]::NewGuid().ToString('N'))-$Name"
        }
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        Reset-ZulipTestServer -Server $server
        $key = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password)

        # Import-ZulipRc without -Path reads these (and $HOME): no test sees the machine's own, and each
        # test's changes are undone.
        $savedEnvironment = @{}
        foreach ($name in $zulipVariables + 'HOME') {
            $savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        }

        foreach ($name in $zulipVariables) {
            [Environment]::SetEnvironmentVariable($name, $null)
        }
    }

    AfterEach {
        foreach ($name in $savedEnvironment.Keys) {
            [Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name])
        }
    }

    Context 'the round trip fetch, export, import, test' {
        It 'writes the [api] section as Zulip''s web app does: email, key, site, UTF-8 without BOM' {
            $path = New-TestFilePath 'zuliprc'

            $key | Export-ZulipRc -Path $path

            $bytes = [System.IO.File]::ReadAllBytes($path)
            $bytes[0] | Should -Be ([byte][char]'[') -Because 'a byte order mark would be part of the first section name for some readers'
            [System.Text.Encoding]::UTF8.GetString($bytes) | Should -BeExactly "[api]`nemail=$($iago.Email)`nkey=$($iago.ApiKey)`nsite=$site`n"
        }

        It 'reads back the same key, which the server still accepts' {
            $path = New-TestFilePath 'zuliprc'
            $key | Export-ZulipRc -Path $path

            $imported = Import-ZulipRc -Path $path

            $imported | Should -BeOfType ([ZulipAuth.ZulipApiKey])
            $imported.Email | Should -BeExactly $iago.Email
            $imported.Server.AbsoluteUri | Should -BeExactly $key.Server.AbsoluteUri
            $imported.Credential.GetNetworkCredential().Password | Should -BeExactly $iago.ApiKey
            $imported.UserId | Should -BeNullOrEmpty -Because 'a zuliprc holds no user id'
            $imported | Test-ZulipApiKey | Should -BeTrue
        }

        It 'pipes an imported key on to another file' {
            $first = New-TestFilePath 'first'
            $second = New-TestFilePath 'second'
            $key | Export-ZulipRc -Path $first

            Import-ZulipRc -Path $first | Export-ZulipRc -Path $second

            [System.IO.File]::ReadAllText($second) | Should -BeExactly ([System.IO.File]::ReadAllText($first))
        }

        It 'returns the file with -PassThru, and nothing without it' {
            $path = New-TestFilePath 'zuliprc'

            $file = $key | Export-ZulipRc -Path $path -PassThru
            $nothing = @($key | Export-ZulipRc -Path (New-TestFilePath 'other'))

            $file | Should -BeOfType ([System.IO.FileInfo])
            $file.FullName | Should -Be ([System.IO.Path]::GetFullPath($path))
            $nothing.Count | Should -Be 0
        }

        It 'says nothing of the key in any stream' {
            $path = New-TestFilePath 'zuliprc'

            $result = Invoke-ZulipCaptured {
                $key | Export-ZulipRc -Path $path -Verbose
                Import-ZulipRc -Path $path -Verbose | Out-Null
            }

            $result.Errors.Count | Should -Be 0
            $result.Text.Contains($iago.ApiKey) | Should -BeFalse
        }

        It 'writes $HOME/.zuliprc by default, and reads it back by default' {
            $homeFolder = New-TestFilePath 'home'
            $null = New-Item -ItemType Directory -Path $homeFolder
            [Environment]::SetEnvironmentVariable('HOME', $homeFolder)

            $key | Export-ZulipRc
            $imported = Import-ZulipRc

            Test-Path -LiteralPath (Join-Path $homeFolder '.zuliprc') | Should -BeTrue
            $imported.Email | Should -BeExactly $iago.Email
        }
    }

    Context 'a private file on Linux and macOS' -Tag 'Security' {
        It 'creates the file with mode 600' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
            $path = New-TestFilePath 'zuliprc'

            $key | Export-ZulipRc -Path $path

            Get-UnixFileMode -Path $path | Should -Be '600'
        }

        It 'keeps mode 600 when -Force replaces a file that others could read' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
            $path = New-TestFilePath 'zuliprc'
            [System.IO.File]::WriteAllText($path, "[api]`nemail=old@example.com`nkey=oldkey`nsite=https://old.example.com`n")
            & chmod 644 $path

            $key | Export-ZulipRc -Path $path -Force

            Get-UnixFileMode -Path $path | Should -Be '600'
            [System.IO.File]::ReadAllText($path) | Should -BeLike "*key=$($iago.ApiKey)*"
        }

        It 'warns when a file to import can be read by group or others' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
            $path = New-TestFilePath 'zuliprc'
            $key | Export-ZulipRc -Path $path
            & chmod 644 $path

            $result = Invoke-ZulipCaptured { Import-ZulipRc -Path $path }

            $result.Output.Count | Should -Be 1
            ($result.Warnings -join "`n") | Should -BeLike '*chmod 600*'
        }
    }

    Context 'existing files' {
        It 'refuses to overwrite an existing file and leaves it untouched' {
            $path = New-TestFilePath 'zuliprc'
            $existing = "# mine`n[api]`nemail=old@example.com`nkey=oldkey`nsite=https://old.example.com`n"
            [System.IO.File]::WriteAllText($path, $existing)

            $result = Invoke-ZulipCaptured { $key | Export-ZulipRc -Path $path -PassThru }

            $result.Output.Count | Should -Be 0
            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipConfigExists'
            "$($result.Errors[0].CategoryInfo.Category)" | Should -Be 'ResourceExists'
            $result.Errors[0].Exception.Message | Should -BeLike '*-Force*'
            [System.IO.File]::ReadAllText($path) | Should -BeExactly $existing
        }

        It 'replaces it with -Force' {
            $path = New-TestFilePath 'zuliprc'
            [System.IO.File]::WriteAllText($path, "[api]`nemail=old@example.com`nkey=oldkey`nsite=https://old.example.com`n")

            $key | Export-ZulipRc -Path $path -Force

            (Import-ZulipRc -Path $path).Email | Should -BeExactly $iago.Email
        }

        It 'refuses a second key for the same file in one pipeline (one file holds one [api] section)' {
            $path = New-TestFilePath 'zuliprc'
            $hamletKey = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $hamlet.Email -Password $hamlet.Password)

            $null = $key, $hamletKey | Export-ZulipRc -Path $path -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConfigExists'
            (Import-ZulipRc -Path $path).Email | Should -BeExactly $iago.Email
        }

        It 'writes nothing with -WhatIf' {
            $path = New-TestFilePath 'zuliprc'
            $existing = New-TestFilePath 'existing'
            [System.IO.File]::WriteAllText($existing, "keep me`n")

            $key | Export-ZulipRc -Path $path -WhatIf
            $key | Export-ZulipRc -Path $existing -Force -WhatIf

            Test-Path -LiteralPath $path | Should -BeFalse
            [System.IO.File]::ReadAllText($existing) | Should -BeExactly "keep me`n"
        }
    }

    Context 'where Import-ZulipRc looks without -Path' {
        BeforeEach {
            $configured = New-TestFilePath 'configured'
            $hamletKey = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $hamlet.Email -Password $hamlet.Password)
            $hamletKey | Export-ZulipRc -Path $configured
        }

        It 'uses ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE when all three are set, before ZULIP_CONFIG' {
            [Environment]::SetEnvironmentVariable('ZULIP_CONFIG', $configured)
            [Environment]::SetEnvironmentVariable('ZULIP_EMAIL', $iago.Email)
            [Environment]::SetEnvironmentVariable('ZULIP_API_KEY', $iago.ApiKey)
            # As the Python bindings do: a site without a scheme that starts with localhost is http://.
            [Environment]::SetEnvironmentVariable('ZULIP_SITE', "localhost:$($server.HttpPort)")

            $imported = Import-ZulipRc

            $imported.Email | Should -BeExactly $iago.Email
            $imported.Server.AbsoluteUri | Should -BeExactly "http://localhost:$($server.HttpPort)/"
            $imported | Test-ZulipApiKey | Should -BeTrue
        }

        It 'warns and reads ZULIP_CONFIG when only some ZULIP_* variables are set' {
            [Environment]::SetEnvironmentVariable('ZULIP_CONFIG', $configured)
            [Environment]::SetEnvironmentVariable('ZULIP_EMAIL', $iago.Email)

            $result = Invoke-ZulipCaptured { Import-ZulipRc }

            $result.Output[0].Email | Should -BeExactly $hamlet.Email
            ($result.Warnings -join "`n") | Should -BeLike '*ZULIP_API_KEY*'
        }

        It 'reads the file ZULIP_CONFIG names before $HOME/.zuliprc' {
            $homeFolder = New-TestFilePath 'home'
            $null = New-Item -ItemType Directory -Path $homeFolder
            $key | Export-ZulipRc -Path (Join-Path $homeFolder '.zuliprc')
            [Environment]::SetEnvironmentVariable('HOME', $homeFolder)
            [Environment]::SetEnvironmentVariable('ZULIP_CONFIG', $configured)

            (Import-ZulipRc).Email | Should -BeExactly $hamlet.Email
        }

        It 'reads $HOME/.zuliprc when nothing else is set' {
            $homeFolder = New-TestFilePath 'home'
            $null = New-Item -ItemType Directory -Path $homeFolder
            $key | Export-ZulipRc -Path (Join-Path $homeFolder '.zuliprc')
            [Environment]::SetEnvironmentVariable('HOME', $homeFolder)

            (Import-ZulipRc).Email | Should -BeExactly $iago.Email
        }
    }

    Context 'files written by hand' {
        It 'reads what Python''s configparser reads: comments, ":" and spaces, upper-case names' {
            $path = New-TestFilePath 'zuliprc'
            $text = "# written by hand`n[api]`n  EMAIL : $($iago.Email)`n; the key`nKey = $($iago.ApiKey)`nsite=localhost:$($server.HttpPort)/`n"
            [System.IO.File]::WriteAllText($path, $text)

            $imported = Import-ZulipRc -Path $path

            $imported.Email | Should -BeExactly $iago.Email
            $imported.Server.AbsoluteUri | Should -BeExactly "http://localhost:$($server.HttpPort)/"
            $imported | Test-ZulipApiKey | Should -BeTrue
        }

        It 'gives a site without a scheme https://, as the Python bindings do' {
            $path = New-TestFilePath 'zuliprc'
            [System.IO.File]::WriteAllText($path, "[api]`nemail=$($iago.Email)`nkey=$($iago.ApiKey)`nsite=chat.example.com`n")

            (Import-ZulipRc -Path $path).Server.AbsoluteUri | Should -BeExactly 'https://chat.example.com/'
        }

        It 'reports a missing file as ZulipConfigNotFound' {
            $path = New-TestFilePath 'missing'

            $null = Import-ZulipRc -Path $path -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConfigNotFound'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
            $failures[0].Exception.Message | Should -BeLike "*$(Split-Path -Leaf $path)*"
        }

        It 'reports <Name> as ZulipConfigInvalid naming the file and what is wrong, never the key' -ForEach @(
            @{ Name = 'a file without an [api] section'; Content = "[other]`nemail=iago@zulip.com`nkey=CanaryKey0123456789abcdefABCDEFx`nsite=https://chat.example.com`n"; Says = '*no `[api`] section*' }
            @{ Name = 'a missing key'; Content = "[api]`nemail=iago@zulip.com`nsite=https://chat.example.com`n"; Says = '*has no key*' }
            @{ Name = 'an empty key'; Content = "[api]`nemail=iago@zulip.com`nkey=`nsite=https://chat.example.com`n"; Says = '*has no key*' }
            @{ Name = 'a missing email'; Content = "[api]`nkey=CanaryKey0123456789abcdefABCDEFx`nsite=https://chat.example.com`n"; Says = '*has no email*' }
            @{ Name = 'a missing site'; Content = "[api]`nemail=iago@zulip.com`nkey=CanaryKey0123456789abcdefABCDEFx`n"; Says = '*has no site*' }
            @{ Name = 'a setting before any section'; Content = "key=CanaryKey0123456789abcdefABCDEFx`n[api]`nemail=iago@zulip.com`n"; Says = '*line 1*' }
            @{ Name = 'a line that is not name = value'; Content = "[api]`nemail=iago@zulip.com`nCanaryKey0123456789abcdefABCDEFx`nsite=https://chat.example.com`n"; Says = '*line 3*' }
            @{ Name = 'a section twice'; Content = "[api]`nemail=iago@zulip.com`n[api]`nkey=CanaryKey0123456789abcdefABCDEFx`n"; Says = '*line 3*' }
        ) {
            $path = New-TestFilePath 'zuliprc'
            [System.IO.File]::WriteAllText($path, $Content)

            $result = Invoke-ZulipCaptured { Import-ZulipRc -Path $path -Verbose }

            $result.Output.Count | Should -Be 0
            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipConfigInvalid'
            "$($result.Errors[0].CategoryInfo.Category)" | Should -Be 'InvalidData'
            $result.Errors[0].Exception.Message | Should -BeLike "*$(Split-Path -Leaf $path)*"
            $result.Errors[0].Exception.Message | Should -BeLike $Says
            $result.Text.Contains('CanaryKey0123456789abcdefABCDEFx') | Should -BeFalse
        }
    }

    Context 'checking a stored key' {
        It 'gives $false for a key the server has revoked since it was stored' {
            $path = New-TestFilePath 'zuliprc'
            $key | Export-ZulipRc -Path $path
            $null = Invoke-ZulipTestServerCommand -Server $server -Command "revoke $($iago.Email)"

            Import-ZulipRc -Path $path | Test-ZulipApiKey | Should -BeFalse
        }

        It 'gives an error, not $false, when the stored site cannot be reached' {
            $path = New-TestFilePath 'zuliprc'
            [System.IO.File]::WriteAllText($path, "[api]`nemail=$($iago.Email)`nkey=$($iago.ApiKey)`nsite=http://127.0.0.1:$(Get-ZulipTestUnusedPort)`n")

            $verdict = @(Import-ZulipRc -Path $path | Test-ZulipApiKey -ErrorAction SilentlyContinue -ErrorVariable failures)

            $verdict.Count | Should -Be 0
            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
        }
    }
}
