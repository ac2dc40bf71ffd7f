#Requires -Version 5.1
# Pester 5. Get-ZulipServerSettings the way a user runs it, against the local Zulip-compatible server.

Describe 'Get-ZulipServerSettings' -Tag 'GetZulipServerSettings' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $server = Start-ZulipTestServer
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        Reset-ZulipTestServer -Server $server
    }

    Context 'a current Zulip server' {
        It 'returns a ZulipAuth.ZulipServerSettings with what the organization allows and which Zulip it runs' {
            $settings = Get-ZulipServerSettings -Server $server.HttpUri

            $settings | Should -BeOfType ([ZulipAuth.ZulipServerSettings])
            $settings.RealmUrl | Should -BeOfType ([uri])
            $settings.RealmUrl.GetLeftPart([System.UriPartial]::Authority) | Should -BeExactly $server.HttpUri.GetLeftPart([System.UriPartial]::Authority)
            $settings.RealmName | Should -BeExactly 'Zulip Dev'
            $settings.RealmDescription | Should -BeLike '*development environment*'
            $settings.ZulipVersion | Should -BeExactly '11.0'
            $settings.ZulipMergeBase | Should -BeExactly '11.0'
            $settings.ZulipFeatureLevel | Should -BeOfType ([int])
            $settings.ZulipFeatureLevel | Should -Be 400
            $settings.PasswordAuthEnabled | Should -BeTrue
            $settings.EmailAuthEnabled | Should -BeTrue
            $settings.RequireEmailFormatUsernames | Should -BeTrue
            $settings.AuthenticationMethods | Should -Contain 'password'
            $settings.AuthenticationMethods | Should -Contain 'email'
            $settings.AuthenticationMethods | Should -Not -Contain 'github'
            $settings.ExternalAuthenticationMethods.Count | Should -Be 0
            $settings.PushNotificationsEnabled | Should -BeFalse
            $settings.IsIncompatible | Should -BeFalse
            $settings.WebPublicAccessEnabled | Should -BeFalse
        }

        It 'makes the realm icon an absolute URL on the organization' {
            $settings = Get-ZulipServerSettings -Server $server.HttpUri

            $settings.RealmIcon | Should -BeOfType ([uri])
            $settings.RealmIcon.IsAbsoluteUri | Should -BeTrue
            $settings.RealmIcon.AbsoluteUri | Should -BeLike "$($server.HttpUri.AbsoluteUri)static/*"
        }

        It 'takes servers from the pipeline, by value and by property name (Server, Site, Realm)' {
            $address = $server.HttpUri.AbsoluteUri

            $byValue = @($address, $address | Get-ZulipServerSettings)
            $byProperty = @(
                [pscustomobject]@{ Server = $address }
                [pscustomobject]@{ Site = $address }
                [pscustomobject]@{ Realm = $address }
            ) | Get-ZulipServerSettings

            $byValue.Count | Should -Be 2
            @($byProperty).Count | Should -Be 3
            @($byProperty | ForEach-Object RealmName) | Should -Be @('Zulip Dev', 'Zulip Dev', 'Zulip Dev')
        }

        It 'needs no switch for plain http, even to a host that is not loopback (nothing secret is sent)' {
            # .invalid never resolves: the request gets as far as the name lookup, so the http rule did not stop it.
            $null = Get-ZulipServerSettings -Server 'http://chat.example.invalid' -TimeoutSec 10 -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
        }

        It 'works over TLS with -SkipCertificateCheck, and refuses the self-signed certificate without it' {
            (Get-ZulipServerSettings -Server $server.HttpsUri -SkipCertificateCheck -WarningAction SilentlyContinue).RealmUrl.Scheme | Should -Be 'https'

            $null = Get-ZulipServerSettings -Server $server.HttpsUri -ErrorAction SilentlyContinue -ErrorVariable failures
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipCertificateError'
        }
    }

    Context 'organizations that log in elsewhere' {
        BeforeAll {
            $sso = Start-ZulipTestServer
            Set-ZulipTestServer -Server $sso -Property PasswordAuthEnabled -Value $false
            $null = Invoke-ZulipTestServerCommand -Server $sso -Command 'sso github,saml'
        }

        AfterAll {
            Stop-ZulipTestServer -Server $sso
        }

        It 'says password login is off and lists the external methods with absolute URLs' {
            $settings = Get-ZulipServerSettings -Server $sso.HttpUri

            $settings.PasswordAuthEnabled | Should -BeFalse
            $settings.EmailAuthEnabled | Should -BeFalse
            $settings.AuthenticationMethods | Should -Contain 'github'
            $settings.AuthenticationMethods | Should -Contain 'saml'
            $settings.AuthenticationMethods | Should -Not -Contain 'password'
            @($settings.ExternalAuthenticationMethods | ForEach-Object Name) | Should -Be @('github', 'saml:okta')
            @($settings.ExternalAuthenticationMethods | ForEach-Object DisplayName) | Should -Be @('GitHub', 'Okta')
            foreach ($method in $settings.ExternalAuthenticationMethods) {
                $method.LoginUrl | Should -BeOfType ([uri])
                $method.LoginUrl.AbsoluteUri | Should -BeLike "$($sso.HttpUri.AbsoluteUri)accounts/login/social/*"
                $method.SignupUrl.AbsoluteUri | Should -BeLike "$($sso.HttpUri.AbsoluteUri)accounts/register/social/*"
            }

            $settings.ExternalAuthenticationMethods[0].DisplayIcon.IsAbsoluteUri | Should -BeTrue
        }
    }

    Context 'LDAP organizations' {
        BeforeAll {
            $ldapServer = Start-ZulipTestServer -Ldap
        }

        AfterAll {
            Stop-ZulipTestServer -Server $ldapServer
        }

        It 'says user names need not be emails' {
            $settings = Get-ZulipServerSettings -Server $ldapServer.HttpUri

            $settings.RequireEmailFormatUsernames | Should -BeFalse
            $settings.AuthenticationMethods | Should -Contain 'ldap'
            $settings.PasswordAuthEnabled | Should -BeTrue
        }
    }

    Context 'older servers and missing fields' {
        It 'reads realm_uri on a server before feature level 257, and the feature level it announces' {
            $old = Start-ZulipTestServer -FeatureLevel 100
            try {
                $settings = Get-ZulipServerSettings -Server $old.HttpUri

                $settings.ZulipFeatureLevel | Should -Be 100
                $settings.RealmUrl.GetLeftPart([System.UriPartial]::Authority) | Should -BeExactly $old.HttpUri.GetLeftPart([System.UriPartial]::Authority)
                $settings.WebPublicAccessEnabled | Should -BeNullOrEmpty -Because 'servers before feature level 116 do not send it'
            }
            finally {
                Stop-ZulipTestServer -Server $old
            }
        }

        It 'gives feature level 0 and no merge base for a server too old to send them' {
            $ancient = Start-ZulipTestServer -FeatureLevel 0
            try {
                $settings = Get-ZulipServerSettings -Server $ancient.HttpUri

                $settings.ZulipFeatureLevel | Should -Be 0
                $settings.ZulipMergeBase | Should -BeNullOrEmpty
                $settings.ZulipVersion | Should -BeExactly '11.0'
            }
            finally {
                Stop-ZulipTestServer -Server $ancient
            }
        }

        It 'leaves the optional fields a server omits empty instead of failing' {
            Set-ZulipTestServer -Server $server -Property OmitOptionalFields -Value $true
            try {
                $result = Invoke-ZulipCaptured { Get-ZulipServerSettings -Server $server.HttpUri }
            }
            finally {
                Set-ZulipTestServer -Server $server -Property OmitOptionalFields -Value $false
            }

            $result.Errors.Count | Should -Be 0
            $settings = $result.Output[0]
            $settings.RealmName | Should -BeNullOrEmpty
            $settings.RealmUrl | Should -BeNullOrEmpty
            $settings.RealmIcon | Should -BeNullOrEmpty
            $settings.EmailAuthEnabled | Should -BeNullOrEmpty
            $settings.RequireEmailFormatUsernames | Should -BeNullOrEmpty
            $settings.ZulipVersion | Should -BeExactly '11.0'
        }
    }

    Context 'addresses that are not a Zulip organization' -Tag 'Errors' {
        It 'reports <Name> as ZulipUnexpectedResponse that does not look like a Zulip server' -ForEach @(
            @{ Name = 'an HTML page'; Fault = 'Html200' }
            @{ Name = 'an HTML 404 page'; Fault = 'NotFoundHtml' }
            @{ Name = 'JSON of another shape'; Fault = 'OtherJsonShape' }
        ) {
            Set-ZulipTestServerFault -Server $server -Kind $Fault -Path /api/v1/server_settings

            $null = Get-ZulipServerSettings -Server $server.HttpUri -ErrorAction SilentlyContinue -ErrorVariable failures

            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipUnexpectedResponse'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'InvalidResult'
            $failures[0].Exception.Message | Should -BeLike '*does not look like a Zulip server*'
            $failures[0].TargetObject | Should -BeOfType ([uri])
        }

        It 'reports a host that is not one of the organization''s as ZulipInvalidSubdomain, with the server''s words' {
            Set-ZulipTestServer -Server $server -Property AcceptedHosts -Value '127.0.0.1'
            try {
                $null = Get-ZulipServerSettings -Server "http://localhost:$($server.HttpPort)" -ErrorAction SilentlyContinue -ErrorVariable failures
            }
            finally {
                Set-ZulipTestServer -Server $server -Property AcceptedHosts -Value @('127.0.0.1', 'localhost')
            }

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipInvalidSubdomain'
            "$($failures[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
            $failures[0].Exception.ServerMessage | Should -Be 'Invalid subdomain'
            $failures[0].Exception.Message | Should -BeLike '*Invalid subdomain*'
        }

        It 'reports a root domain that needs the organization''s subdomain as ZulipInvalidSubdomain (Subdomain required)' {
            Set-ZulipTestServer -Server $server -Property RootDomainLandingPage -Value $true
            try {
                $null = Get-ZulipServerSettings -Server $server.HttpUri -ErrorAction SilentlyContinue -ErrorVariable failures
            }
            finally {
                Set-ZulipTestServer -Server $server -Property RootDomainLandingPage -Value $false
            }

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipInvalidSubdomain'
            $failures[0].Exception.Message | Should -BeLike '*Subdomain required*'
        }

        It 'goes on with the next server in the pipeline after one fails' {
            $refused = "http://127.0.0.1:$(Get-ZulipTestUnusedPort)"

            $settings = @($refused, $server.HttpUri.AbsoluteUri | Get-ZulipServerSettings -ErrorAction SilentlyContinue -ErrorVariable failures)

            $settings.Count | Should -Be 1
            $failures.Count | Should -Be 1
            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipConnectionFailed'
        }
    }

    Context 'redirects of the unauthenticated GET' -Tag 'Transport' {
        It 'follows a redirect from http to https on the same host' {
            Set-ZulipTestServerFault -Server $server -Kind RedirectToHttps -Path /api/v1/server_settings

            $settings = Get-ZulipServerSettings -Server $server.HttpUri -SkipCertificateCheck -WarningAction SilentlyContinue

            $settings.RealmUrl.Scheme | Should -Be 'https'
        }

        It 'does not follow a redirect to another host' {
            Set-ZulipTestServerFault -Server $server -Kind RedirectToOtherHost -Path /api/v1/server_settings

            $null = Get-ZulipServerSettings -Server $server.HttpUri -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ZulipTestErrorId $failures[0] | Should -Be 'ZulipRedirected'
            $failures[0].Exception.Message | Should -BeLike "*localhost:$($server.HttpPort)*"
        }
    }
}
