#Requires -Version 5.1
# Pester 5. Timeouts, retries, proxies, certificates, redirects and limits, with faults injected into the
# local Zulip-compatible server. (Ctrl+C needs a host that can press it, so it is left to the hosted-engine tests.)

Describe 'Transport and resilience' -Tag 'Transport' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        $modulePath = Join-Path $PSScriptRoot '../out/ZulipAuth'
        Import-Module $modulePath -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $canary = Get-ZulipTestCanary
        $iagoCredential = New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password
        $fetchPath = '/api/v1/fetch_api_key'

        # Read the settings once now, so the timed calls below measure the login request alone.
        $null = Get-ZulipServerSettings -Server $server.HttpUri
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        Reset-ZulipTestServer -Server $server
    }

    Context 'timeouts' {
        It 'gives ZulipTimeout for a stalled server within -TimeoutSec plus a second' {
            Set-ZulipTestServerFault -Server $server -Kind Stall -Path $fetchPath
            $clock = [System.Diagnostics.Stopwatch]::StartNew()

            $null = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -TimeoutSec 1 -ErrorAction SilentlyContinue -ErrorVariable failures

            $clock.Stop()
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipTimeout'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'OperationTimeout'
            $failures[0].Exception.Message | Should -BeLike '*-TimeoutSec*'
            $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.9
            # The limit plus a second, and half a second more for a busy machine's scheduling.
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        }

        It 'times out the server settings request too' {
            Set-ZulipTestServerFault -Server $server -Kind Stall -Path /api/v1/server_settings
            $clock = [System.Diagnostics.Stopwatch]::StartNew()

            $null = Get-ZulipServerSettings -Server $server.HttpUri -TimeoutSec 1 -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipTimeout'
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        }

        It 'waits out a slow answer that comes within the limit' {
            Set-ZulipTestServerFault -Server $server -Kind Delay -Path $fetchPath -Count 1

            $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -TimeoutSec 10

            $key.Email | Should -BeExactly $iago.Email
        }

        It 'leaves the session usable: the next call after a timeout succeeds' {
            Set-ZulipTestServerFault -Server $server -Kind Stall -Path $fetchPath -Count 1
            $null = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -TimeoutSec 1 -ErrorAction SilentlyContinue

            $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential

            $key.Email | Should -BeExactly $iago.Email
        }
    }

    Context 'retries' {
        It 'retries a 429 after Retry-After and succeeds, with a verbose line for each wait' {
            Set-ZulipTestServerFault -Server $server -Kind RateLimited -Path $fetchPath -Count 2 -Method POST

            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -MaximumRetryCount 2 -RetryIntervalSec 1 }

            $result.Errors.Count | Should -Be 0
            $result.Output[0].Email | Should -BeExactly $iago.Email
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 3
            ($result.Verbose -join "`n") | Should -BeLike '*retry 1 of 2*'
            ($result.Verbose -join "`n") | Should -BeLike '*retry 2 of 2*'
        }

        It 'waits Retry-After when it is longer than -RetryIntervalSec' {
            Set-ZulipTestServer -Server $server -Property FaultRetryAfterSeconds -Value 2.5
            try {
                Set-ZulipTestServerFault -Server $server -Kind RateLimited -Path $fetchPath -Count 1 -Method POST
                $clock = [System.Diagnostics.Stopwatch]::StartNew()

                $key = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -MaximumRetryCount 1 -RetryIntervalSec 1

                $clock.Stop()
            }
            finally {
                Set-ZulipTestServer -Server $server -Property FaultRetryAfterSeconds -Value 0.5
            }

            $key.Email | Should -BeExactly $iago.Email
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2.4
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        }

        It 'gives ZulipRateLimited with RetryAfter once the retries are used up' {
            Set-ZulipTestServerFault -Server $server -Kind RateLimited -Path $fetchPath -Method POST

            $null = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -MaximumRetryCount 1 -RetryIntervalSec 1 -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipRateLimited'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'LimitsExceeded'
            $failures[0].Exception.RetryAfter.TotalSeconds | Should -Be 0.5
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 2
        }

        It 'retries a 502 and a 503 from a proxy in front of the server' {
            Set-ZulipTestServerFault -Server $server -Kind Html502 -Path $fetchPath -Count 1 -Method POST
            $first = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -MaximumRetryCount 1 -RetryIntervalSec 1
            Set-ZulipTestServerFault -Server $server -Kind Status503 -Path $fetchPath -Count 1 -Method POST
            $second = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -MaximumRetryCount 1 -RetryIntervalSec 1

            $first.Email | Should -BeExactly $iago.Email
            $second.Email | Should -BeExactly $iago.Email
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 4
        }

        It 'never retries a rejected password, which would only use up the user''s login attempts' {
            $null = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -MaximumRetryCount 3 -RetryIntervalSec 1 -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipAuthenticationFailed'
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 1
        }

        It 'does not sleep through Zulip''s 30-minute login limit: it fails at once and says how long to wait' {
            Set-ZulipTestServer -Server $server -Property RateLimitAttempts -Value 1
            try {
                $null = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -ErrorAction SilentlyContinue
                $clock = [System.Diagnostics.Stopwatch]::StartNew()

                $null = Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -MaximumRetryCount 3 -RetryIntervalSec 1 -ErrorAction SilentlyContinue -ErrorVariable failures

                $clock.Stop()
            }
            finally {
                Set-ZulipTestServer -Server $server -Property RateLimitAttempts -Value 5
            }

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipRateLimited'
            $failures[0].Exception.RetryAfter.TotalMinutes | Should -BeGreaterThan 10
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 2
        }
    }

    Context 'broken answers and connections' -Tag 'Errors' {
        It 'gives <ErrorId> for <Name>, within bounded time, with no secret in any stream' -ForEach @(
            @{ Name = 'a connection reset mid-answer'; Fault = 'ResetConnection'; ErrorId = 'ZulipConnectionFailed' }
            @{ Name = 'an HTML 502'; Fault = 'Html502'; ErrorId = 'ZulipServerError' }
            @{ Name = 'an HTML 200 from a host that is not Zulip'; Fault = 'Html200'; ErrorId = 'ZulipUnexpectedResponse' }
            @{ Name = 'truncated JSON'; Fault = 'TruncatedJson'; ErrorId = 'ZulipUnexpectedResponse' }
            @{ Name = 'an endless body'; Fault = 'EndlessBody'; ErrorId = 'ZulipUnexpectedResponse' }
            @{ Name = 'a 307 to another host'; Fault = 'RedirectToOtherHost'; ErrorId = 'ZulipRedirected' }
            @{ Name = 'a 301 from http to https'; Fault = 'RedirectToHttps'; ErrorId = 'ZulipRedirected' }
            @{ Name = 'a 500 with Zulip JSON'; Fault = 'Json500'; ErrorId = 'ZulipServerError' }
        ) {
            Set-ZulipTestServerFault -Server $server -Kind $Fault -Path $fetchPath
            $clock = [System.Diagnostics.Stopwatch]::StartNew()

            $result = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -TimeoutSec 10 }

            $clock.Stop()
            $result.Errors.Count | Should -Be 1
            Get-ZulipTestErrorId $result.Errors[0] | Should -Be $ErrorId
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $result.Text.Contains($canary) | Should -BeFalse
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 1 -Because 'a POST that carries a password is never re-sent'

            Set-ZulipTestServerFault -Server $server -Kind None
            (Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential).Email | Should -BeExactly $iago.Email -Because 'the session stays usable'
        }

        It 'gives ZulipConnectionFailed for a refused connection' {
            $null = Get-ZulipApiKey -Server "http://127.0.0.1:$(Get-ZulipTestUnusedPort)" -Credential $iagoCredential -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'ConnectionError'
        }

        It 'gives ZulipConnectionFailed for a host name that does not resolve' {
            $null = Get-ZulipApiKey -Server 'https://zulip.example.invalid' -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -TimeoutSec 10 -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
            $failures[0].Exception.Message | Should -BeLike '*zulip.example.invalid*'
        }
    }

    Context 'certificates' -Tag 'Security' {
        It 'refuses the self-signed certificate without -SkipCertificateCheck' {
            $null = Get-ZulipApiKey -Server $server.HttpsUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $canary) -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipCertificateError'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'SecurityError'
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath | Should -Be 0 -Because 'nothing is sent over an untrusted connection'
        }

        It 'applies -SkipCertificateCheck to its own requests only, never to the process' {
            $callbackBefore = [System.Net.ServicePointManager]::ServerCertificateValidationCallback

            $key = Get-ZulipApiKey -Server $server.HttpsUri -Credential $iagoCredential -SkipCertificateCheck -WarningAction SilentlyContinue
            $null = Get-ZulipApiKey -Server $server.HttpsUri -Credential $iagoCredential -ErrorAction SilentlyContinue -ErrorVariable failures

            $key.Email | Should -BeExactly $iago.Email
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipCertificateError' -Because 'the next call without the switch checks again'
            [System.Net.ServicePointManager]::ServerCertificateValidationCallback | Should -Be $callbackBefore
        }
    }

    # Windows PowerShell's .NET Framework never sends requests for loopback addresses through a WebProxy,
    # and the test proxy only forwards to loopback, so these run on PowerShell 7 only.
    Context 'proxies' -Tag 'Proxy' {
        BeforeAll {
            $proxied = Start-ZulipTestServer -Proxy
            $guarded = Start-ZulipTestServer -ProxyCredential (New-ZulipTestCredential -UserName 'proxyuser' -Password 'Proxy-Pw-5e1b')
        }

        AfterAll {
            Stop-ZulipTestServer -Server $proxied
            Stop-ZulipTestServer -Server $guarded
        }

        It 'tunnels the https requests through -Proxy' -Tag 'Platform:PowerShell7' -Skip:(-not $IsCoreCLR) {
            $before = Get-ZulipTestServerProxyStats -Server $proxied

            $key = Get-ZulipApiKey -Server $proxied.HttpsUri -Credential $iagoCredential -SkipCertificateCheck -Proxy $proxied.ProxyUri -WarningAction SilentlyContinue

            $key.Email | Should -BeExactly $iago.Email
            (Get-ZulipTestServerProxyStats -Server $proxied).Tunnels | Should -BeGreaterThan $before.Tunnels
        }

        It 'sends plain http requests through -Proxy' -Tag 'Platform:PowerShell7' -Skip:(-not $IsCoreCLR) {
            $before = Get-ZulipTestServerProxyStats -Server $proxied

            $settings = Get-ZulipServerSettings -Server $proxied.HttpUri -Proxy $proxied.ProxyUri

            $settings.RealmName | Should -Be 'Zulip Dev'
            (Get-ZulipTestServerProxyStats -Server $proxied).Requests | Should -BeGreaterThan $before.Requests
        }

        It 'fails without -ProxyCredential where the proxy demands one, and works with it' -Tag 'Platform:PowerShell7' -Skip:(-not $IsCoreCLR) {
            $proxyCredential = New-ZulipTestCredential -UserName 'proxyuser' -Password 'Proxy-Pw-5e1b'

            $refused = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $guarded.HttpsUri -Credential $iagoCredential -SkipCertificateCheck -Proxy $guarded.ProxyUri -TimeoutSec 10 }
            $allowed = Invoke-ZulipCaptured { Get-ZulipApiKey -Server $guarded.HttpsUri -Credential $iagoCredential -SkipCertificateCheck -Proxy $guarded.ProxyUri -ProxyCredential $proxyCredential -TimeoutSec 10 }

            $refused.Output.Count | Should -Be 0
            $refused.Errors.Count | Should -Be 1
            $allowed.Errors.Count | Should -Be 0
            $allowed.Output[0].Email | Should -BeExactly $iago.Email
            (Get-ZulipTestServerProxyStats -Server $guarded).AuthChallenges | Should -BeGreaterThan 0
            ($refused.Text + $allowed.Text).Contains('Proxy-Pw-5e1b') | Should -BeFalse
            ($refused.Text + $allowed.Text).Contains($iago.Password) | Should -BeFalse
        }

        It 'refuses -NoProxy together with -Proxy, as Invoke-RestMethod does' {
            { Get-ZulipApiKey -Server $server.HttpUri -Credential $iagoCredential -NoProxy -Proxy $proxied.ProxyUri } |
                Should -Throw -ErrorId 'ZulipConflictingParameters,*'
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath | Should -Be 0
        }
    }

    Context 'many runspaces at once' -Tag 'Concurrency' {
        It 'gives every one of 20 runspaces the key' {
            # No rate limit here: twenty parallel attempts for one user name would otherwise trip it.
            Set-ZulipTestServer -Server $server -Property RateLimitAttempts -Value 0
            # CreateDefault2: the engine's own commands and module autoloading, without the snap-ins of old.
            $pool = [runspacefactory]::CreateRunspacePool(1, 20, [initialsessionstate]::CreateDefault2(), $Host)
            $pool.Open()
            try {
                $jobs = foreach ($i in 1..20) {
                    $shell = [powershell]::Create()
                    $shell.RunspacePool = $pool
                    $null = $shell.AddScript({
                            param($ModulePath, $Server, $UserName, $Password)
                            Import-Module $ModulePath
                            $secure = [securestring]::new()
                            foreach ($c in $Password.ToCharArray()) { $secure.AppendChar($c) }
                            Get-ZulipApiKey -Server $Server -Credential ([pscredential]::new($UserName, $secure)) -AsPlainText
                        }.ToString()).AddParameters(@{ ModulePath = $modulePath; Server = $server.HttpUri.AbsoluteUri; UserName = $iago.Email; Password = $iago.Password })
                    [pscustomobject]@{ Shell = $shell; Pending = $shell.BeginInvoke() }
                }

                $keys = foreach ($job in $jobs) {
                    $job.Shell.EndInvoke($job.Pending)
                    $job.Shell.Streams.Error | ForEach-Object { throw $_ }
                    $job.Shell.Dispose()
                }
            }
            finally {
                $pool.Dispose()
                Set-ZulipTestServer -Server $server -Property RateLimitAttempts -Value 5
            }

            @($keys).Count | Should -Be 20
            @($keys | Where-Object { $_ -ceq $iago.ApiKey }).Count | Should -Be 20
            Get-ZulipTestServerRequestCount -Server $server -Path $fetchPath -Method POST | Should -Be 20
        }
    }
}
