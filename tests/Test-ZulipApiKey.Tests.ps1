#Requires -Version 5.1
# Pester 5. Test-ZulipApiKey, and using a fetched key the way scripts do, against the local Zulip-compatible server.

Describe 'Test-ZulipApiKey' -Tag 'TestZulipApiKey' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $hamlet = Get-ZulipTestUser -Server $server -Name Hamlet
        $iagoCredential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        # Also un-revokes keys and reactivates accounts.
        Reset-ZulipTestServer -Server $server
        $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential
    }

    Context 'a key the server accepts' {
        It 'returns $true for a key piped from Get-ZulipApiKey' {
            $verdict = @($key | Test-ZulipApiKey)

            $verdict.Count | Should -Be 1
            $verdict[0] | Should -BeOfType ([bool])
            $verdict[0] | Should -BeTrue
            Get-ZulipTestServerRequestCount -Server $server -Path /api/v1/users/me -Method GET | Should -Be 1
        }

        It 'returns $true for -InputObject' {
            Test-ZulipApiKey -InputObject $key | Should -BeTrue
        }

        It 'returns $true for -Server with -Credential (the email and the key)' {
            $credential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.ApiKey

            Test-ZulipApiKey -Server $server.HttpUri -Credential $credential | Should -BeTrue
        }

        It 'binds Server and Credential by property name' {
            $stored = [pscustomobject]@{ Site = $server.HttpUri.AbsoluteUri; Credential = (New-ZulipTestCredential -UserName $hamlet.Email -Password $hamlet.ApiKey) }

            $stored | Test-ZulipApiKey | Should -BeTrue
        }

        It 'works over TLS with -SkipCertificateCheck' {
            $tlsKey = Get-ZulipApiKey -Server $server.HttpsUri -Credential $iagoCredential -SkipCertificateCheck -WarningAction SilentlyContinue

            $tlsKey | Test-ZulipApiKey -SkipCertificateCheck -WarningAction SilentlyContinue | Should -BeTrue
        }
    }

    Context 'a key the server rejects' {
        It 'returns $false for a revoked key, with the server''s reason in the verbose stream' {
            $null = Invoke-ZulipTestServerCommand -Server $server -Command "revoke $($iago.Email)"

            $result = Invoke-ZulipCaptured { $key | Test-ZulipApiKey }

            $result.Errors.Count | Should -Be 0
            $result.Output | Should -Be @($false)
            $result.Output[0] | Should -BeOfType ([bool])
            ($result.Verbose -join "`n") | Should -BeLike '*Invalid API key*'
            $result.Text.Contains($iago.ApiKey) | Should -BeFalse -Because 'the key never reaches a verbose line or an error'
        }

        It 'returns $false for a deactivated account' {
            $null = Invoke-ZulipTestServerCommand -Server $server -Command "deactivate $($iago.Email)"

            $result = Invoke-ZulipCaptured { $key | Test-ZulipApiKey }

            $result.Output | Should -Be @($false)
            ($result.Verbose -join "`n") | Should -BeLike '*Account is deactivated*'
        }

        It 'returns $false for a deactivated organization' {
            Set-ZulipTestServer -Server $server -Property RealmDeactivated -Value $true
            try {
                $result = Invoke-ZulipCaptured { $key | Test-ZulipApiKey }
            }
            finally {
                Set-ZulipTestServer -Server $server -Property RealmDeactivated -Value $false
            }

            $result.Output | Should -Be @($false)
            ($result.Verbose -join "`n") | Should -BeLike '*organization has been deactivated*'
        }

        It 'returns $false for a key paired with another account''s email' {
            $mismatched = New-ZulipTestCredential -UserName $hamlet.Email -Password $iago.ApiKey

            Test-ZulipApiKey -Server $server.HttpUri -Credential $mismatched | Should -BeFalse
        }

        It 'gives one verdict per key in a pipeline' {
            $hamletKey = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $hamlet.Email -Password $hamlet.Password)
            $null = Invoke-ZulipTestServerCommand -Server $server -Command "revoke $($hamlet.Email)"

            $verdicts = @($key, $hamletKey, $key | Test-ZulipApiKey)

            $verdicts | Should -Be @($true, $false, $true)
        }
    }

    Context 'answers that say nothing about the key are errors, not $false' -Tag 'Errors' {
        It 'reports an unreachable server as ZulipConnectionFailed and outputs nothing' {
            $credential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.ApiKey

            $result = Invoke-ZulipCaptured { Test-ZulipApiKey -Server "http://127.0.0.1:$(Get-ZulipTestUnusedPort)" -Credential $credential }

            $result.Output.Count | Should -Be 0
            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipConnectionFailed'
            $result.Errors[0].TargetObject | Should -BeOfType ([uri])
            $result.Text.Contains($iago.ApiKey) | Should -BeFalse
        }

        It 'reports <Name> as <ErrorId>' -ForEach @(
            @{ Name = 'a 502 HTML page'; Fault = 'Html502'; ErrorId = 'ZulipServerError' }
            @{ Name = 'a 500 with Zulip JSON'; Fault = 'Json500'; ErrorId = 'ZulipServerError' }
            @{ Name = 'an HTML page that is not Zulip'; Fault = 'Html200'; ErrorId = 'ZulipUnexpectedResponse' }
            @{ Name = 'a stalled server'; Fault = 'Stall'; ErrorId = 'ZulipTimeout' }
        ) {
            Set-ZulipTestServerFault -Server $server -Kind $Fault -Path /api/v1/users/me

            $result = Invoke-ZulipCaptured { $key | Test-ZulipApiKey -TimeoutSec 2 }

            $result.Output.Count | Should -Be 0
            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be $ErrorId
            $result.Text.Contains($iago.ApiKey) | Should -BeFalse
        }
    }

    Context 'plain http and -AllowUnencryptedAuthentication' -Tag 'Security' {
        It 'refuses to send the key over http:// to a host that is not loopback' {
            $credential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.ApiKey

            $result = Invoke-ZulipCaptured { Test-ZulipApiKey -Server 'http://chat.example.invalid' -Credential $credential }

            $result.Output.Count | Should -Be 0
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipUnencryptedAuthentication'
            "$($result.Errors[0].CategoryInfo.Category)" | Should -Be 'SecurityError'
            $result.Verbose.Count | Should -Be 0 -Because 'nothing was sent'
        }

        It 'goes ahead with -AllowUnencryptedAuthentication (and here fails only at the name lookup)' {
            $credential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.ApiKey

            $null = Test-ZulipApiKey -Server 'http://chat.example.invalid' -Credential $credential -AllowUnencryptedAuthentication -TimeoutSec 10 -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
        }
    }

    Context 'the key with other PowerShell commands' -Tag 'Interop' {
        # Invoke-RestMethod -Authentication exists only in PowerShell 6 and later.
        It 'authenticates Invoke-RestMethod -Authentication Basic -Credential $key.Credential' -Tag 'Platform:PowerShell7' -Skip:(-not $IsCoreCLR) {
            $tlsKey = Get-ZulipApiKey -Server $server.HttpsUri -Credential $iagoCredential -SkipCertificateCheck -WarningAction SilentlyContinue

            $me = Invoke-RestMethod -Uri "$($tlsKey.Server)api/v1/users/me" -Authentication Basic -Credential $tlsKey.Credential -SkipCertificateCheck

            $me.result | Should -Be 'success'
            $me.email | Should -BeExactly $iago.Email
            $me.user_id | Should -Be $iago.UserId
        }
    }

    Context 'a zuliprc with TLS settings, as python-zulip-api reads it' -Tag 'Tls' {
        BeforeAll {
            # The server's self-signed certificate is its own CA, so its PEM is a one-certificate bundle.
            $bundle = Join-Path $TestDrive 'server-ca.pem'
            $tlsServer = Start-ZulipTestServer -CertificatePemPath $bundle
            $site = $tlsServer.HttpsUri.GetLeftPart([System.UriPartial]::Authority)
            function New-TestRc([string] $Name, [string] $Extra) {
                $path = Join-Path $TestDrive $Name
                Set-Content -LiteralPath $path -Value "[api]`nemail=$($iago.Email)`nkey=$($iago.ApiKey)`nsite=$site`n$Extra" -NoNewline
                # Private, as a zuliprc should be (Import-ZulipRc warns otherwise).
                if (-not $IsWindows) { chmod 600 $path }
                $path
            }
        }

        AfterAll {
            Stop-ZulipTestServer -Server $tlsServer
        }

        It 'Import-ZulipRc | Test-ZulipApiKey trusts the cert_bundle the file names, and only with it' {
            $withBundle = New-TestRc 'zuliprc-bundle' "cert_bundle=$bundle`n"
            $without = New-TestRc 'zuliprc-plain' ''

            Import-ZulipRc -Path $withBundle | Test-ZulipApiKey -ErrorAction Stop | Should -BeTrue
            { Import-ZulipRc -Path $without | Test-ZulipApiKey -ErrorAction Stop } | Should -Throw -ErrorId 'ZulipCertificateError,*'
        }

        It 'round-trips -CertificateBundle through Export-ZulipRc' {
            $rc = Join-Path $TestDrive 'zuliprc-exported'
            $splat = @{ Server = $site; Credential = $iagoCredential; CertificateBundle = $bundle }
            Get-ZulipApiKey @splat | Export-ZulipRc -Path $rc

            (Get-Content -LiteralPath $rc -Raw) | Should -Match ([regex]::Escape("cert_bundle=$bundle"))
            Import-ZulipRc -Path $rc | Test-ZulipApiKey | Should -BeTrue
        }
    }
}
