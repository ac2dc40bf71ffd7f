#Requires -Version 5.1
# Pester 5. A zuliprc as a PowerShell user handles it: keys saved with Export-Clixml or kept in a vault, the
# file item -PassThru gives, names with brackets, the key as text, and a zuliprc other tools share.
# Run: ./build.ps1 -Task Test, or Invoke-Pester ./tests/ZulipRc.Objects.Tests.ps1 -Output Detailed

Describe 'zuliprc objects that flow' -Tag 'ZulipRc' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $site = $server.HttpUri.GetLeftPart([System.UriPartial]::Authority)

        function New-TestFolder {
            $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
            $null = New-Item -ItemType Directory -Path $folder
            $folder
        }
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        Reset-ZulipTestServer -Server $server
        $key = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password)
        $folder = New-TestFolder
    }

    Context 'keys that are not ZulipApiKey objects' {
        It 'writes a key saved with Export-Clixml and read back with Import-Clixml' {
            $saved = Join-Path $folder 'key.xml'
            $key | Export-Clixml -Path $saved
            $path = Join-Path $folder 'zuliprc'

            $restored = Import-Clixml -Path $saved
            $restored | Export-ZulipRc -Path $path -ErrorAction Stop

            $restored | Should -Not -BeOfType ([ZulipAuth.ZulipApiKey]) -Because 'Import-Clixml gives a deserialized object'
            $imported = Import-ZulipRc -Path $path
            $imported.Email | Should -BeExactly $iago.Email
            $imported.Server.AbsoluteUri | Should -BeExactly $key.Server.AbsoluteUri
            $imported | Test-ZulipApiKey | Should -BeTrue
        }

        It 'writes an object with Server and a Credential, as from a secret vault' {
            $path = Join-Path $folder 'zuliprc'
            $bot = [pscustomobject]@{
                Server     = $site
                Credential = [pscredential]::new($iago.Email, $key.ApiKey.Copy())
            }

            $bot | Export-ZulipRc -Path $path -ErrorAction Stop

            (Get-Content -LiteralPath $path) | Should -Be @('[api]', "email=$($iago.Email)", "key=$($iago.ApiKey)", "site=$site")
        }
    }

    Context '-PassThru' {
        It 'returns the file as Get-Item shows it, with mode and length' {
            $path = Join-Path $folder 'zuliprc'

            $item = $key | Export-ZulipRc -Path $path -PassThru

            $item | Should -BeOfType ([System.IO.FileInfo])
            $item.PSPath | Should -BeExactly (Get-Item -LiteralPath $path).PSPath
            $item.PSProvider.Name | Should -BeExactly 'FileSystem'
            $item.Length | Should -Be (Get-Item -LiteralPath $path).Length
            $shown = $item | Format-Table | Out-String -Width 80
            $shown | Should -Match ([regex]::Escape($item.Name))
            $shown | Should -Match ([regex]::Escape($item.Mode)) -Because 'the file system view shows the mode'
        }

        It 'shows the owner-only mode on Linux and macOS' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
            $item = $key | Export-ZulipRc -Path (Join-Path $folder 'zuliprc') -PassThru

            $item.UnixMode | Should -BeExactly '-rw-------'
            ($item | Format-Table | Out-String -Width 80) | Should -Match '-rw-------'
        }
    }

    Context 'names with brackets, and wildcards' {
        It 'writes and reads a name with brackets with -LiteralPath' {
            $path = Join-Path $folder 'alerts[prod].zuliprc'

            $key | Export-ZulipRc -LiteralPath $path -ErrorAction Stop

            Test-Path -LiteralPath $path | Should -BeTrue
            (Import-ZulipRc -LiteralPath $path).Email | Should -BeExactly $iago.Email
            (Get-Item -LiteralPath $path | Import-ZulipRc).Email | Should -BeExactly $iago.Email -Because 'the item binds by PSPath to -LiteralPath'
        }

        It 'reads the one file a -Path wildcard matches' {
            $key | Export-ZulipRc -Path (Join-Path $folder 'only.zuliprc')

            (Import-ZulipRc -Path (Join-Path $folder '*.zuliprc')).Email | Should -BeExactly $iago.Email
        }

        It 'refuses a -Path wildcard that matches several files, naming them, and writes nothing' {
            $key | Export-ZulipRc -Path (Join-Path $folder 'a.zuliprc')
            $key | Export-ZulipRc -Path (Join-Path $folder 'b.zuliprc')
            $before = Get-ChildItem -LiteralPath $folder | ForEach-Object { $_.Name + '=' + $_.LastWriteTimeUtc.Ticks }

            $imported = Import-ZulipRc -Path (Join-Path $folder '*.zuliprc') -ErrorVariable readErrors -ErrorAction SilentlyContinue
            $key | Export-ZulipRc -Path (Join-Path $folder '?.zuliprc') -Force -ErrorVariable writeErrors -ErrorAction SilentlyContinue

            $imported | Should -BeNullOrEmpty
            foreach ($failure in @($readErrors) + @($writeErrors)) {
                $failure.FullyQualifiedErrorId | Should -BeLike 'ZulipInvalidPath*'
                $failure.Exception.Message | Should -Match 'matches 2 items'
                $failure.Exception.Message | Should -Match 'a\.zuliprc'
            }
            @($readErrors).Count + @($writeErrors).Count | Should -Be 2
            Get-ChildItem -LiteralPath $folder | ForEach-Object { $_.Name + '=' + $_.LastWriteTimeUtc.Ticks } | Should -Be $before
        }

        It 'says to use -LiteralPath when a -Path with brackets matches nothing' {
            $key | Export-ZulipRc -LiteralPath (Join-Path $folder 'alerts[prod].zuliprc')

            Import-ZulipRc -Path (Join-Path $folder 'alerts[prod].zuliprc') -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ZulipInvalidPath*'
            $failures[0].ErrorDetails.RecommendedAction | Should -Match '-LiteralPath'
        }
    }

    Context 'the key as text' {
        It 'gives the key as a string with -AsPlainText, which Invoke-RestMethod can use' {
            $path = Join-Path $folder 'zuliprc'
            $key | Export-ZulipRc -Path $path

            $text = Import-ZulipRc -Path $path -AsPlainText

            $text | Should -BeOfType ([string])
            $text | Should -BeExactly $iago.ApiKey
            $basic = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($iago.Email):$text"))
            $me = Invoke-RestMethod -Uri "$site/api/v1/users/me" -Headers @{ Authorization = "Basic $basic" }
            $me.user_id | Should -Be $iago.UserId
        }
    }

    Context 'a zuliprc that other tools share' {
        It 'keeps zulip-terminal''s section, the web app''s token and the comments, and a symlink stays a link' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
            # A dotfiles setup: ~/.zuliprc links to a file kept elsewhere, shared with zulip-terminal.
            $dotfiles = New-Item -ItemType Directory -Path (Join-Path $folder 'dotfiles')
            $target = Join-Path $dotfiles 'zuliprc'
            Set-Content -LiteralPath $target -NoNewline -Value (
                "# downloaded from the web app`n[api]`nemail=old@zulip.com`nkey=OldKey`ntoken=webhook-token`nsite=https://old.example.com`n`n[zterm]`ntheme=zt_dark`nnotify=enabled`n")
            $link = Join-Path $folder '.zuliprc'
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $target

            $key | Export-ZulipRc -Path $link -Force -ErrorAction Stop

            (Get-Item -LiteralPath $link -Force).LinkType | Should -BeExactly 'SymbolicLink'
            (Get-Item -LiteralPath $link -Force).Target | Should -BeExactly $target
            $lines = Get-Content -LiteralPath $target
            $lines | Should -Contain '# downloaded from the web app'
            $lines | Should -Contain 'token=webhook-token'
            $lines | Should -Contain '[zterm]'
            $lines | Should -Contain 'theme=zt_dark'
            $lines | Should -Contain "key=$($iago.ApiKey)"
            $lines | Should -Not -Contain 'key=OldKey'
            Import-ZulipRc -Path $link | Test-ZulipApiKey | Should -BeTrue
        }
    }
}
