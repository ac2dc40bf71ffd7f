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

    Context 'every server answer of the error table' -Tag 'Errors', 'Secrets' {
        BeforeEach {
            # A fresh server per case: no case sees another's rate-limit history, faults or switches, nor the
            # server settings this session cached for the server's address (every server has its own port).
            $case = Start-ZulipTestServer
        }

        AfterEach {
            Stop-ZulipTestServer -Server $case
        }

        # Steps: a test-server command (see tests/ZulipAuth.TestServer/README.md), 'prime' (read the server
        # settings first, so the module has them cached before a switch changes), or 'fail-login' (one wrong
        # password for the same user name).
        It '<Name> gives <ErrorId> (<Category>)' -ForEach @(
            @{ Name = 'a wrong password'; ErrorId = 'ZulipAuthenticationFailed'; Category = 'AuthenticationError'; Status = 401; Code = 'AUTHENTICATION_FAILED'; Target = 'http'; Steps = @() }
            @{ Name = 'an old server''s 403 without a code'; ErrorId = 'ZulipAuthenticationFailed'; Category = 'AuthenticationError'; Status = 403; Code = $null; Target = 'http'; Steps = @('set OldServer true', 'set FeatureLevel 50') }
            @{ Name = 'a deactivated user'; ErrorId = 'ZulipUserDeactivated'; Category = 'PermissionDenied'; Status = 401; Code = 'USER_DEACTIVATED'; Target = 'http'; Steps = @('deactivate iago@zulip.com') }
            @{ Name = 'a deactivated organization'; ErrorId = 'ZulipRealmDeactivated'; Category = 'PermissionDenied'; Status = 401; Code = 'REALM_DEACTIVATED'; Target = 'http'; Steps = @('set RealmDeactivated true') }
            @{ Name = 'password login turned off after the settings were read'; ErrorId = 'ZulipPasswordAuthDisabled'; Category = 'NotEnabled'; Status = 401; Code = 'PASSWORD_AUTH_DISABLED'; Target = 'http'; Steps = @('prime', 'set PasswordAuthEnabled false') }
            @{ Name = 'a password too weak to keep'; ErrorId = 'ZulipPasswordResetRequired'; Category = 'AuthenticationError'; Status = 401; Code = 'PASSWORD_RESET_REQUIRED'; Target = 'http'; Steps = @(); User = 'Weak'; RealPassword = $true }
            @{ Name = 'a 404 NONEXISTENT_SUBDOMAIN'; ErrorId = 'ZulipInvalidSubdomain'; Category = 'ObjectNotFound'; Status = 404; Code = 'NONEXISTENT_SUBDOMAIN'; Target = 'http'; Steps = @('prime', 'set AcceptedHosts localhost') }
            @{ Name = 'a 400 Invalid subdomain from server_settings'; ErrorId = 'ZulipInvalidSubdomain'; Category = 'ObjectNotFound'; Status = 400; Code = 'BAD_REQUEST'; Target = 'localhost'; Steps = @('set AcceptedHosts 127.0.0.1') }
            @{ Name = 'a 400 Enter a valid email address'; ErrorId = 'ZulipInvalidUsername'; Category = 'InvalidArgument'; Status = 400; Code = 'BAD_REQUEST'; Target = 'http'; Steps = @('set LdapEnabled true', 'prime', 'set LdapEnabled false'); Login = 'iago' }
            @{ Name = 'the per-user rate limit (429)'; ErrorId = 'ZulipRateLimited'; Category = 'LimitsExceeded'; Status = 429; Code = 'RATE_LIMIT_HIT'; Target = 'http'; Steps = @('set RateLimitAttempts 1', 'fail-login') }
            @{ Name = 'a 405 from a proxy that re-sent the POST as a GET'; ErrorId = 'ZulipRequestRejected'; Category = 'InvalidOperation'; Status = 405; Code = $null; Target = 'http'; Steps = @('fault MethodRewritten /api/v1/fetch_api_key') }
            @{ Name = 'a 500 with Zulip JSON'; ErrorId = 'ZulipServerError'; Category = 'ResourceUnavailable'; Status = 500; Code = 'BAD_REQUEST'; Target = 'http'; Steps = @('fault Json500 /api/v1/fetch_api_key') }
            @{ Name = 'a 502 HTML page'; ErrorId = 'ZulipServerError'; Category = 'ResourceUnavailable'; Status = 502; Code = $null; Target = 'http'; Steps = @('fault Html502 /api/v1/fetch_api_key') }
            @{ Name = 'a 503 with Retry-After'; ErrorId = 'ZulipServerError'; Category = 'ResourceUnavailable'; Status = 503; Code = $null; Target = 'http'; Steps = @('fault Status503 /api/v1/fetch_api_key') }
            @{ Name = 'a 200 HTML page'; ErrorId = 'ZulipUnexpectedResponse'; Category = 'InvalidResult'; Status = 200; Code = $null; Target = 'http'; Steps = @('fault Html200 /api/v1/fetch_api_key') }
            @{ Name = 'truncated JSON'; ErrorId = 'ZulipUnexpectedResponse'; Category = 'InvalidResult'; Status = 200; Code = $null; Target = 'http'; Steps = @('fault TruncatedJson /api/v1/fetch_api_key') }
            @{ Name = 'JSON of another shape'; ErrorId = 'ZulipUnexpectedResponse'; Category = 'InvalidResult'; Status = 200; Code = $null; Target = 'http'; Steps = @('fault OtherJsonShape /api/v1/fetch_api_key') }
            @{ Name = 'an answer over 1 MiB'; ErrorId = 'ZulipUnexpectedResponse'; Category = 'InvalidResult'; Status = 200; Code = $null; Target = 'http'; Steps = @('fault OversizedJson /api/v1/fetch_api_key') }
            @{ Name = 'a 301 to https in answer to the POST'; ErrorId = 'ZulipRedirected'; Category = 'InvalidOperation'; Status = 301; Code = $null; Target = 'http'; Steps = @('fault RedirectToHttps /api/v1/fetch_api_key') }
            @{ Name = 'a 307 to another host in answer to the POST'; ErrorId = 'ZulipRedirected'; Category = 'InvalidOperation'; Status = 307; Code = $null; Target = 'http'; Steps = @('fault RedirectToOtherHost /api/v1/fetch_api_key') }
            @{ Name = 'a refused connection'; ErrorId = 'ZulipConnectionFailed'; Category = 'ConnectionError'; Status = $null; Code = $null; Target = 'refused'; Steps = @() }
            @{ Name = 'a connection reset mid-answer'; ErrorId = 'ZulipConnectionFailed'; Category = 'ConnectionError'; Status = $null; Code = $null; Target = 'http'; Steps = @('fault ResetConnection /api/v1/fetch_api_key') }
            @{ Name = 'an untrusted certificate'; ErrorId = 'ZulipCertificateError'; Category = 'SecurityError'; Status = $null; Code = $null; Target = 'https'; Steps = @() }
            @{ Name = 'a stalled server'; ErrorId = 'ZulipTimeout'; Category = 'OperationTimeout'; Status = $null; Code = $null; Target = 'http'; Steps = @('fault Stall /api/v1/fetch_api_key'); TimeoutSec = 1 }
        ) {
            $account = Get-ZulipTestUser -Server $server -Name $(if ($User) { $User } else { 'Iago' })
            $login = if ($Login) { $Login } else { $account.Login }
            # Zulip checks the password before its strength, so that one case needs the real password.
            $password = if ($RealPassword) { $account.Password } else { $canary }
            $target = switch ($Target) {
                'http' { $case.HttpUri.AbsoluteUri }
                'https' { $case.HttpsUri.AbsoluteUri }
                'localhost' { "http://localhost:$($case.HttpPort)/" }
                'refused' { "http://127.0.0.1:$(Get-ZulipTestUnusedPort)/" }
            }
            $parameters = @{ Server = $target; Credential = (New-ZulipTestCredential -UserName $login -Password $password) }
            if ($TimeoutSec) {
                $parameters.TimeoutSec = $TimeoutSec
            }

            foreach ($step in $Steps) {
                if ($step -eq 'prime') {
                    $null = Get-ZulipServerSettings -Server $target -ErrorAction Stop
                }
                elseif ($step -eq 'fail-login') {
                    $null = Get-ZulipApiKey -Server $target -Credential (New-ZulipTestCredential -UserName $login -Password 'wrong-password') -ErrorAction SilentlyContinue
                }
                else {
                    $null = Invoke-ZulipTestServerCommand -Server $case -Command $step
                }
            }

            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $result = Invoke-ZulipCaptured { Get-ZulipApiKey @parameters -Verbose }
            $clock.Stop()

            $result.Output.Count | Should -Be 0
            $result.Errors.Count | Should -Be 1
            $record = $result.Errors[0]
            Get-ZulipTestErrorId $record | Should -Be $ErrorId
            "$($record.CategoryInfo.Category)" | Should -Be $Category
            $record.Exception | Should -BeOfType ([ZulipAuth.ZulipApiException])
            $record.Exception.Code | Should -Be $Code
            if ($null -eq $Status) {
                $record.Exception.StatusCode | Should -BeNullOrEmpty
            }
            else {
                [int]$record.Exception.StatusCode | Should -Be $Status
            }

            $record.TargetObject | Should -BeOfType ([uri])
            $record.Exception.Message | Should -Not -BeNullOrEmpty
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $result.Text.Contains($canary) | Should -BeFalse -Because 'the password never reaches an error, warning or verbose line'
            $result.Text.Contains($account.ApiKey) | Should -BeFalse
        }

        It 'shows the server''s own words and what to do next for a Zulip error' {
            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $case.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) }

            $record = $result.Errors[0]
            $record.Exception.ServerMessage | Should -Be 'Your username or password is incorrect'
            $record.Exception.Message | Should -BeLike '*Your username or password is incorrect*'
            $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'says how long to wait when the per-user limit is hit, in RetryAfter and in the message' {
            Set-ZulipTestServer -Server $case -Property RateLimitAttempts -Value 1
            $null = Get-ZulipApiKey -Server $case.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password 'wrong-password') -ErrorAction SilentlyContinue

            $null = Get-ZulipApiKey -Server $case.HttpUri -Credential $iagoCredential -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures[0].Exception.RetryAfter | Should -BeOfType ([timespan])
            $failures[0].Exception.RetryAfter.TotalSeconds | Should -BeGreaterThan 1
            $failures[0].Exception.RetryAfter.TotalSeconds | Should -Not -BeGreaterThan 1800
            $failures[0].Exception.Message | Should -BeLike '*Wait*'
        }

        It 'never re-sends the password after a redirect, and names the address to use instead' {
            Set-ZulipTestServerFault -Server $case -Kind RedirectToHttps -Path /api/v1/fetch_api_key

            $null = Get-ZulipApiKey -Server $case.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures[0].Exception.Message | Should -BeLike "*$($case.HttpsUri.GetLeftPart([System.UriPartial]::Authority))*"
            Get-ZulipTestServerRequestCount -Server $case -Path /api/v1/fetch_api_key | Should -Be 1
        }

        It 'stops the statement with -ErrorAction Stop, as a runbook sets it' {
            { Get-ZulipApiKey -Server $case.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -ErrorAction Stop } |
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

    Context 'the preflight: the server settings are read before a password is sent' -Tag 'Preflight' {
        BeforeEach {
            $preflight = Start-ZulipTestServer
        }

        AfterEach {
            Stop-ZulipTestServer -Server $preflight
        }

        It 'does not send the password where password login is off, and names the methods the organization offers' {
            Set-ZulipTestServer -Server $preflight -Property PasswordAuthEnabled -Value $false
            $null = Invoke-ZulipTestServerCommand -Server $preflight -Command 'sso github,saml'

            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $preflight.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) }

            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be 'ZulipPasswordAuthDisabled'
            "$($result.Errors[0].CategoryInfo.Category)" | Should -Be 'NotEnabled'
            $result.Errors[0].Exception.Message | Should -BeLike '*GitHub*'
            $result.Errors[0].Exception.Message | Should -BeLike '*Okta*'
            $result.Errors[0].Exception.Message | Should -BeLike '*API key*'
            Get-ZulipTestServerRequestCount -Server $preflight -Path /api/v1/fetch_api_key | Should -Be 0
            $result.Text.Contains($canary) | Should -BeFalse
        }

        It 'does not send the password with a login name where the organization requires an email' {
            $null = Get-ZulipApiKey -Server $preflight.HttpUri -Credential (New-ZulipTestCredential -UserName 'iago' -Password $canary) -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipInvalidUsername'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
            Get-ZulipTestServerRequestCount -Server $preflight -Path /api/v1/fetch_api_key | Should -Be 0
        }

        It 'posts to the organization URL the server announces when it is on the same host (http to https)' {
            Set-ZulipTestServer -Server $preflight -Property RealmUrlOverride -Value $preflight.HttpsUri.GetLeftPart([System.UriPartial]::Authority)

            $key = Get-ZulipApiKey -Server $preflight.HttpUri -Credential $iagoCredential -SkipCertificateCheck -WarningAction SilentlyContinue

            $key.Server.AbsoluteUri | Should -BeExactly $preflight.HttpsUri.AbsoluteUri
        }

        It 'keeps the given server, with a warning, when the announced organization URL is on another host' {
            # .invalid: were the module to follow the announcement, nothing could be reached.
            Set-ZulipTestServer -Server $preflight -Property RealmUrlOverride -Value 'https://chat.example.invalid'

            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $preflight.HttpUri -Credential $iagoCredential }

            $result.Errors.Count | Should -Be 0
            $result.Output[0].Server.AbsoluteUri | Should -BeExactly $preflight.HttpUri.AbsoluteUri
            ($result.Warnings -join "`n") | Should -BeLike '*https://chat.example.invalid*'
            Get-ZulipTestServerRequestCount -Server $preflight -Path /api/v1/fetch_api_key -Method POST | Should -Be 1
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
