#Requires -Version 5.1
# Pester 5. Rotating keys, bot keys and JWT login against the local Zulip-compatible server.

Describe 'Key lifecycle' -Tag 'KeyLifecycle' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $hamlet = Get-ZulipTestUser -Server $server -Name Hamlet
        $genericBot = Get-ZulipTestUser -Server $server -Name GenericBot
        $outgoingBot = Get-ZulipTestUser -Server $server -Name OutgoingBot
        $jwtSecret = 'pester-jwt-secret'

        function New-TestJwt([string] $Secret, [hashtable] $Claims) {
            # HS256 as the organization's issuer signs it; base64url without padding.
            $encode = { param([byte[]] $b) [Convert]::ToBase64String($b).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
            $utf8 = [System.Text.Encoding]::UTF8
            $header = & $encode $utf8.GetBytes('{"alg":"HS256","typ":"JWT"}')
            $payload = & $encode $utf8.GetBytes(($Claims | ConvertTo-Json -Compress))
            $hmac = New-Object System.Security.Cryptography.HMACSHA256 (, $utf8.GetBytes($Secret))
            try { "$header.$payload." + (& $encode $hmac.ComputeHash($utf8.GetBytes("$header.$payload"))) } finally { $hmac.Dispose() }
        }
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        Reset-ZulipTestServer -Server $server
        Set-ZulipTestServer -Server $server -Property FeatureLevel -Value 470
        Set-ZulipTestServer -Server $server -Property JwtSecret -Value $jwtSecret
        Set-ZulipTestServerFault -Server $server -Kind None
        $hamletKey = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $hamlet.Email -Password $hamlet.Password)
    }

    Context 'Reset-ZulipApiKey' {
        It 'returns a new key, and the old one fails at once' {
            $new = $hamletKey | Reset-ZulipApiKey -Confirm:$false

            $new.Email | Should -Be $hamlet.Email
            $new.UserId | Should -Be $hamlet.UserId
            $hamletKey | Test-ZulipApiKey | Should -BeFalse
            $new | Test-ZulipApiKey | Should -BeTrue
        }

        It 'sends nothing with -WhatIf' {
            $hamletKey | Reset-ZulipApiKey -WhatIf

            Get-ZulipTestServerRequestCount -Server $server -Path /api/v1/users/me/api_key/regenerate | Should -Be 0
            $hamletKey | Test-ZulipApiKey | Should -BeTrue
        }

        It 'posts a rotation once, whatever -MaximumRetryCount, after a 502' {
            Set-ZulipTestServerFault -Server $server -Kind Html502 -Path /api/v1/users/me/api_key/regenerate -Count 1 -Method POST

            $new = $hamletKey | Reset-ZulipApiKey -Confirm:$false -MaximumRetryCount 3 -RetryIntervalSec 1 -ErrorVariable failed -ErrorAction SilentlyContinue

            $new | Should -BeNullOrEmpty
            $failed.Count | Should -Be 1
            Get-ZulipTestServerRequestCount -Server $server -Path /api/v1/users/me/api_key/regenerate -Method POST | Should -Be 1
        }

        It 'updates the zuliprc and keeps its other sections' {
            $rc = Join-Path $TestDrive 'zuliprc'
            $text = "[api]`nemail=$($hamlet.Email)`nkey=$($hamlet.ApiKey)`nsite=$($server.HttpUri.GetLeftPart([System.UriPartial]::Authority))`n`n[zterm]`ntheme=gruvbox`n"
            [System.IO.File]::WriteAllText($rc, $text)

            $new = Import-ZulipRc -Path $rc | Reset-ZulipApiKey -ZulipRcPath $rc -Confirm:$false

            [System.IO.File]::ReadAllText($rc) | Should -Be ($text.Replace("key=$($hamlet.ApiKey)", "key=" + $new.Credential.GetNetworkCredential().Password))
        }

        It 'never shows the old or the new key in any stream' {
            $captured = Invoke-ZulipCaptured { $hamletKey | Reset-ZulipApiKey -Confirm:$false }
            $newKey = $captured.Output[0].Credential.GetNetworkCredential().Password

            $captured.Text | Should -Not -Match ([regex]::Escape($hamlet.ApiKey))
            $captured.Text | Should -Not -Match ([regex]::Escape($newKey))
        }
    }

    Context 'bot keys' {
        It 'gives the owner the bot''s key as the bot''s identity' {
            $bot = $hamletKey | Get-ZulipBotApiKey -BotEmail $genericBot.Email

            $bot.Email | Should -Be $genericBot.Email
            $bot.UserId | Should -Be $genericBot.UserId
            $bot.Credential.GetNetworkCredential().Password | Should -Be $genericBot.ApiKey
        }

        It 'writes an outgoing-webhook bot''s token= into its zuliprc' {
            $rc = Join-Path $TestDrive 'bot.zuliprc'

            $hamletKey | Get-ZulipBotApiKey -BotId $outgoingBot.UserId | Export-ZulipRc -Path $rc

            Get-Content -Path $rc | Should -Contain "token=$($outgoingBot.Token)"
        }

        It 'goes on past a bad bot id' {
            $keys = @(40, 999, 43 | Get-ZulipBotApiKey -InputObject $hamletKey -ErrorVariable failed -ErrorAction SilentlyContinue)

            $keys.Count | Should -Be 1
            $failed.Count | Should -Be 2
            $failed | ForEach-Object { Get-ZulipTestErrorId -ErrorRecord $_ } | Should -Be @('ZulipNoSuchBot', 'ZulipInsufficientPermission')
        }

        It 'refuses a member who neither owns the bot nor administers the organization' {
            $hamletKey | Reset-ZulipBotApiKey -BotId 41 -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

            Get-ZulipTestErrorId -ErrorRecord $failed[0] | Should -Be 'ZulipInsufficientPermission'
        }
    }

    Context 'Get-ZulipApiKey -JsonWebToken' {
        It 'returns the key with the user id and never shows the token' {
            $jwt = New-TestJwt -Secret $jwtSecret -Claims @{ email = $hamlet.Email }
            $token = ConvertTo-SecureString -String $jwt -AsPlainText -Force

            $captured = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $server.HttpUri -JsonWebToken $token }

            $captured.Output[0].UserId | Should -Be $hamlet.UserId
            $captured.Text | Should -Not -Match ([regex]::Escape($jwt))
        }

        It 'says a token with another signature is bad' {
            $token = ConvertTo-SecureString -String (New-TestJwt -Secret 'not-the-secret' -Claims @{ email = $hamlet.Email }) -AsPlainText -Force

            Get-ZulipApiKey -Server $server.HttpUri -JsonWebToken $token -ErrorVariable failed -ErrorAction SilentlyContinue

            Get-ZulipTestErrorId -ErrorRecord $failed[0] | Should -Be 'ZulipJwtInvalid'
        }
    }

    Context 'Test-ZulipApiKey -Detailed' {
        It 'says whose key it is and where it came from' {
            $result = $hamletKey | Test-ZulipApiKey -Detailed

            $result.Valid | Should -BeTrue
            $result.UserId | Should -Be $hamlet.UserId
            $result.Role | Should -Be 'Member'
            $result.Source | Should -Be 'Object'
        }
    }
}
