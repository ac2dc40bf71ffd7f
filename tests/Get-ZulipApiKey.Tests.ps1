#Requires -Version 5.1
# Pester 5. Get-ZulipApiKey the way a user runs it, against the local Zulip-compatible server.
# Run: ./build.ps1 -Task Test, or Invoke-Pester ./tests/Get-ZulipApiKey.Tests.ps1 -Output Detailed

Describe 'Get-ZulipApiKey' -Tag 'GetZulipApiKey' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $hamlet = Get-ZulipTestUser -Server $server -Name Hamlet
        $othello = Get-ZulipTestUser -Server $server -Name Othello
        $canary = Get-ZulipTestCanary
        $iagoCredential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        # Every failed login counts toward the server's limit of 5 per user name; start each test from zero.
        Reset-ZulipTestServer -Server $server
    }

    Context 'a successful login' {
        It 'returns a ZulipAuth.ZulipApiKey with the server, the email, the user id, the key as a SecureString and a ready credential' {
            $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential

            $key | Should -BeOfType ([ZulipAuth.ZulipApiKey])
            $key.Server | Should -BeOfType ([uri])
            $key.Server.AbsoluteUri | Should -BeExactly $server.HttpUri.AbsoluteUri
            $key.Email | Should -BeExactly $iago.Email
            $key.UserId | Should -BeOfType ([int])
            $key.UserId | Should -Be $iago.UserId
            $key.ApiKey | Should -BeOfType ([securestring])
            [System.Net.NetworkCredential]::new('', $key.ApiKey).Password | Should -BeExactly $iago.ApiKey
            $key.Credential | Should -BeOfType ([pscredential])
            $key.Credential.UserName | Should -BeExactly $iago.Email
            $key.Credential.GetNetworkCredential().Password | Should -BeExactly $iago.ApiKey
        }

        It 'names the email and the server in ToString(), never the key' {
            $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential

            "$key" | Should -BeLike "*$($iago.Email)*"
            "$key".Contains($iago.ApiKey) | Should -BeFalse
        }

        It '-AsPlainText emits the key as one [string]' {
            $plain = @(Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -AsPlainText)

            $plain.Count | Should -Be 1
            $plain[0] | Should -BeOfType ([string])
            $plain[0] | Should -BeExactly $iago.ApiKey
        }

        It 'sends a password full of & = + %, non-ASCII letters and an emoji intact' {
            $credential = New-ZulipTestCredential -UserName $othello.Email -Password $othello.Password

            Get-ZulipApiKey -Server $server.HttpUri -Credential $credential -AsPlainText | Should -BeExactly $othello.ApiKey
        }

        It 'takes the server positionally and accepts what users paste: upper case, a trailing /api/v1/, spaces' {
            $pasted = "  HTTP://LOCALHOST:$($server.HttpPort)/api/v1/ "

            $key = Get-ZulipApiKey $pasted $iagoCredential

            $key.Server.AbsoluteUri | Should -BeExactly "http://localhost:$($server.HttpPort)/"
        }

        It 'works over TLS with -SkipCertificateCheck, and warns that the certificate was not checked' {
            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $server.HttpsUri -Credential $iagoCredential -SkipCertificateCheck }

            $result.Errors.Count | Should -Be 0
            $result.Output.Count | Should -Be 1
            $result.Output[0].Server.Scheme | Should -Be 'https'
            ($result.Warnings -join "`n") | Should -BeLike '*SkipCertificateCheck*'
        }

        It 'says in the verbose stream which URL it posts to and as whom, and nothing secret anywhere' {
            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -Verbose }

            $result.Output.Count | Should -Be 1
            ($result.Verbose -join "`n") | Should -BeLike "*api/v1/fetch_api_key*$($iago.Email)*"
            $result.Text.Contains($iago.Password) | Should -BeFalse
            $result.Text.Contains($iago.ApiKey) | Should -BeFalse
        }
    }

    Context 'pipeline input' -Tag 'Pipeline' {
        It 'gives one key per credential, and a non-terminating error for the one that fails' {
            $credentials = @(
                $iagoCredential
                (New-ZulipTestCredential -UserName $hamlet.Email -Password $canary)
                (New-ZulipTestCredential -UserName $othello.Email -Password $othello.Password)
            )

            $keys = @($credentials | Get-ZulipApiKey -Server $server.HttpUri -ErrorAction SilentlyContinue -ErrorVariable failures)

            @($keys | ForEach-Object Email) | Should -Be @($iago.Email, $othello.Email)
            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipAuthenticationFailed'
            $failures[0].TargetObject | Should -BeOfType ([uri])
            Get-ZulipTestServerRequestCount -Server $server -Path /api/v1/fetch_api_key -Method POST | Should -Be 3
        }

        It 'lets the script go on after a failed input (the error is not terminating)' {
            $wrong = New-ZulipTestCredential -UserName $iago.Email -Password $canary

            $result = Invoke-ZulipCaptured {
                Get-ZulipApiKey -Server $server.HttpUri -Credential $wrong
                'the next line ran'
            }

            $result.Errors.Count | Should -Be 1
            $result.Output | Should -Be @('the next line ran')
        }

        It 'binds Server (or its aliases Site and Realm) and Credential by property name' {
            $hamletCredential = New-ZulipTestCredential -UserName $hamlet.Email -Password $hamlet.Password
            $accounts = @(
                [pscustomobject]@{ Site = $server.HttpUri.AbsoluteUri; Credential = $iagoCredential }
                [pscustomobject]@{ Realm = $server.HttpUri.AbsoluteUri; Credential = $hamletCredential }
                [pscustomobject]@{ Server = $server.HttpUri.AbsoluteUri; Credential = $iagoCredential }
            )

            $keys = @($accounts | Get-ZulipApiKey)

            @($keys | ForEach-Object Email) | Should -Be @($iago.Email, $hamlet.Email, $iago.Email)
        }

        It 'reads the server settings once for a whole pipeline against one server' {
            $fresh = Start-ZulipTestServer
            try {
                $null = $iagoCredential, $iagoCredential, $iagoCredential | Get-ZulipApiKey -Server $fresh.HttpUri

                Get-ZulipTestServerRequestCount -Server $fresh -Path /api/v1/server_settings | Should -Be 1
                Get-ZulipTestServerRequestCount -Server $fresh -Path /api/v1/fetch_api_key -Method POST | Should -Be 3
            }
            finally {
                Stop-ZulipTestServer -Server $fresh
            }
        }
    }

    Context 'LDAP login names' -Tag 'Ldap' {
        BeforeAll {
            $ldapServer = Start-ZulipTestServer -Ldap
            $ldap = Get-ZulipTestUser -Server $ldapServer -Name Ldap
        }

        AfterAll {
            Stop-ZulipTestServer -Server $ldapServer
        }

        It 'logs in with the LDAP login name and returns the email the server knows, which the credential then uses' {
            $key = Get-ZulipApiKey -Server $ldapServer.HttpUri -Credential (New-ZulipTestCredential -UserName $ldap.Login -Password $ldap.Password)

            $key.Email | Should -BeExactly $ldap.Email
            $key.Credential.UserName | Should -BeExactly $ldap.Email
            $key.UserId | Should -Be $ldap.UserId
            $key.Credential.GetNetworkCredential().Password | Should -BeExactly $ldap.ApiKey
        }
    }

    Context 'servers older than Zulip 7.0 (feature level 171)' -Tag 'OldServer' {
        BeforeAll {
            $oldServer = Start-ZulipTestServer -FeatureLevel 100
        }

        AfterAll {
            Stop-ZulipTestServer -Server $oldServer
        }

        It 'fills in the user id the login answer lacks from users/me' {
            $key = Get-ZulipApiKey -Server $oldServer.HttpUri -Credential $iagoCredential

            $key.UserId | Should -Be $iago.UserId
            Get-ZulipTestServerRequestCount -Server $oldServer -Path /api/v1/users/me -Method GET | Should -Be 1
        }
    }

    Context 'a failed login in a runbook' -Tag 'Errors' {
        # Which answer gives which ErrorId is the module tests' (ErrorTableTests) and the unit tests' table;
        # here, what a script at a real prompt does with one.
        It 'stops the statement with -ErrorAction Stop, as a runbook sets it' {
            { Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -ErrorAction Stop } |
                Should -Throw -ErrorId 'ZulipAuthenticationFailed,*' -ExceptionType ([ZulipAuth.ZulipApiException])
        }
    }

    Context 'addresses refused before anything is sent' -Tag 'Errors' {
        It 'refuses <Address> with ZulipInvalidServer' -ForEach @(
            @{ Address = 'iago@zulip.com' }
            @{ Address = 'zulip://chat.example.com' }
            @{ Address = 'https://chat.example.com/some/page' }
        ) {
            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $Address -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) }

            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipInvalidServer'
            "$($result.Errors[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
            $result.Text.Contains($canary) | Should -BeFalse
        }
    }

    Context 'plain http and -AllowUnencryptedAuthentication' -Tag 'Security' {
        It 'refuses http:// to a host that is not loopback, before any lookup or connection' {
            # .invalid never resolves (RFC 2606): even a regression could not send the password anywhere.
            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server 'http://chat.example.invalid' -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -TimeoutSec 5 }

            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipUnencryptedAuthentication'
            "$($result.Errors[0].CategoryInfo.Category)" | Should -Be 'SecurityError'
            $result.Errors[0].Exception.Message | Should -BeLike '*-AllowUnencryptedAuthentication*'
            $result.Errors[0].TargetObject.AbsoluteUri | Should -Be 'http://chat.example.invalid/'
            $result.Verbose.Count | Should -Be 0 -Because 'verbose names each request sent, and none was'
            $result.Text.Contains($canary) | Should -BeFalse
        }

        It 'with -AllowUnencryptedAuthentication goes ahead (and here fails only at the name lookup)' {
            $null = Get-ZulipApiKey -Server 'http://chat.example.invalid' -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -AllowUnencryptedAuthentication -TimeoutSec 10 -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
        }

        It 'allows http:// to <Name> without the switch, as the Zulip development environment needs' -ForEach @(
            @{ Name = '127.0.0.1'; HostName = '127.0.0.1' }
            @{ Name = 'localhost'; HostName = 'localhost' }
        ) {
            $key = Get-ZulipApiKey -Server "http://$($HostName):$($server.HttpPort)" -Credential $iagoCredential

            $key.Email | Should -BeExactly $iago.Email
        }
    }

    Context 'the development server variant (-Development)' -Tag 'Development' {
        BeforeAll {
            $devServer = Start-ZulipTestServer -Development
        }

        AfterAll {
            Stop-ZulipTestServer -Server $devServer
        }

        It 'gives the key for an email alone on a development server' {
            $key = Get-ZulipApiKey -Server $devServer.HttpUri -Email $iago.Email -Development

            $key | Should -BeOfType ([ZulipAuth.ZulipApiKey])
            $key.Email | Should -BeExactly $iago.Email
            $key.UserId | Should -Be $iago.UserId
            $key.Credential.GetNetworkCredential().Password | Should -BeExactly $iago.ApiKey
        }

        It 'binds Server and Email by property name' {
            $key = [pscustomobject]@{ Server = $devServer.HttpUri.AbsoluteUri; Email = $hamlet.Email } | Get-ZulipApiKey -Development -AsPlainText

            $key | Should -BeExactly $hamlet.ApiKey
        }

        It 'says that a production server is not a Zulip development environment' {
            $null = Get-ZulipApiKey -Server $server.HttpUri -Email $iago.Email -Development -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipNotDevelopmentServer'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'NotEnabled'
            $failures[0].Exception.Message | Should -BeLike '*not a Zulip development environment*'
        }
    }
}
