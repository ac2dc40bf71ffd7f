#Requires -Version 5.1
# Pester 5. How ZulipAuth's objects print at a real prompt, with PowerShell's own Format-Table, Format-List and
# Out-String, at the 80 columns of a default console: every table view fits, and the key never shows.

BeforeDiscovery {
    # Every table view the module ships, read from the format file itself, so a new view needs a sample below.
    [xml] $format = Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot '../src/ZulipAuth/ZulipAuth.format.ps1xml')
    $tableViews = @($format.Configuration.ViewDefinitions.View | Where-Object { $_['TableControl'] } |
            ForEach-Object { @{ View = $_.Name; TypeName = $_.ViewSelectedBy.TypeName } })
}

Describe 'Formatting' -Tag 'Format' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        Import-Module (Join-Path $PSScriptRoot '../out/ZulipAuth') -Force

        $width = 80
        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $key = Get-ZulipApiKey -Server $server.HttpUri -Credential (New-ZulipTestCredential -UserName $iago.Email -Password $iago.Password)

        function ConvertTo-ZulipTestLines {
            # What a console of $width columns shows, line by line, without the colours of the header.
            param([Parameter(ValueFromPipeline)] $InputObject, [int] $Width = 80)
            $text = @($input) | Out-String -Width $Width
            @(($text -replace "$([char]27)\[[0-9;]*m", '') -split '\r?\n' | ForEach-Object { $_.TrimEnd() })
        }

        function Get-ZulipTestListName {
            param([string[]] $Lines)
            @($Lines | Where-Object { $_ -match '^\S.* : ' -or $_ -match '^\S\S* *:$' } | ForEach-Object { ($_ -split ' : ', 2)[0].Trim() })
        }

        function Get-ZulipTestRealisticObject {
            # Objects of each type with values as long as real organizations have, cut from the real
            # cmdlets' output so every property the views read exists.
            param([string] $TypeName)
            switch ($TypeName) {
                'ZulipAuth.ZulipServerSettings' {
                    Invoke-ZulipTestServerCommand -Server $server -Command 'set RealmName Zulip Community Chat'
                    Invoke-ZulipTestServerCommand -Server $server -Command 'set RealmUrlOverride https://mycompany-engineering.zulipchat.com/'
                    Invoke-ZulipTestServerCommand -Server $server -Command 'set ZulipVersion 11.0-dev+git'
                    try { Get-ZulipServerSettings -Server $server.HttpUri } finally {
                        Invoke-ZulipTestServerCommand -Server $server -Command 'set RealmName Zulip Dev'
                        Invoke-ZulipTestServerCommand -Server $server -Command 'set RealmUrlOverride null'
                        Invoke-ZulipTestServerCommand -Server $server -Command 'set ZulipVersion 11.0'
                    }
                }
                'ZulipAuth.ZulipApiKey' {
                    # The longest server and email a key can carry here; UserId of a large organization.
                    $long = [pscustomobject]@{ Server = [uri]'https://mycompany-engineering.zulipchat.com/'; Email = 'firstname.lastname@mycompany-eng.com'; UserId = 1234567 }
                    $long.PSObject.TypeNames.Insert(0, 'ZulipAuth.ZulipApiKey')
                    $key, $long
                }
                'ZulipAuth.ZulipApiKeyTestResult' {
                    $key | Test-ZulipApiKey -Detailed
                    $long = [pscustomobject]@{ Valid = $false; UserId = 1234567; Email = 'firstname.lastname@mycompany-eng.com'; Role = 'Administrator'; Source = 'Environment'; Reason = 'Invalid API key' }
                    $long.PSObject.TypeNames.Insert(0, 'ZulipAuth.ZulipApiKeyTestResult')
                    $long
                }
                default { throw "No realistic sample of ${TypeName}: add one, so its table view is checked at $width columns." }
            }
        }
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    Context 'at 80 columns' {
        It 'the table view <View> fits 80 columns with realistic values, no header wrapped' -ForEach $tableViews {
            $objects = @(Get-ZulipTestRealisticObject -TypeName $TypeName)

            $lines = $objects | Format-Table -View $View | ConvertTo-ZulipTestLines -Width $width

            $header = @($lines | Where-Object { $_.Trim() })[0]
            $ruleIndex = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^-' })
            $ruleIndex | Should -Be ([array]::IndexOf([string[]]$lines, $header) + 1) -Because 'a header on one line is followed at once by its rule'
            foreach ($line in $lines) {
                $line.Length | Should -BeLessOrEqual $width -Because "'$line' must fit $width columns"
            }

            @($lines | Select-Object -Skip ($ruleIndex + 1) | Where-Object { $_.Trim() }).Count | Should -Be $objects.Count -Because 'one line per object'
        }

        It 'prints server settings as Realm, Url, Version, Level and Password, with their values' {
            $lines = Get-ZulipServerSettings -Server $server.HttpUri | ConvertTo-ZulipTestLines -Width $width

            $header = @($lines | Where-Object { $_.Trim() })[0]
            -split $header | Should -Be @('Realm', 'Url', 'Version', 'Level', 'Password')
            $row = $lines[[array]::IndexOf([string[]]$lines, $header) + 2]
            -split $row | Should -Be @('Zulip', 'Dev', $server.HttpUri.AbsoluteUri, '11.0', '400', 'True')
        }

        It 'lists every setting a user looks for under its property name' {
            Invoke-ZulipTestServerCommand -Server $server -Command 'sso github'
            try {
                $lines = Get-ZulipServerSettings -Server $server.HttpUri | Format-List | ConvertTo-ZulipTestLines -Width $width
            }
            finally {
                Invoke-ZulipTestServerCommand -Server $server -Command 'sso none'
            }

            Get-ZulipTestListName $lines | Should -Be @('RealmName', 'RealmUrl', 'RealmIcon', 'ZulipVersion', 'ZulipFeatureLevel', 'ZulipMergeBase',
                'PasswordAuthEnabled', 'EmailAuthEnabled', 'RequireEmailFormatUsernames', 'AuthenticationMethods', 'ExternalAuthenticationMethods',
                'WebPublicAccessEnabled', 'PushNotificationsEnabled', 'IsIncompatible')
            $lines | Should -Contain 'RealmName                     : Zulip Dev'
            @($lines | Where-Object { $_ -like 'ExternalAuthenticationMethods*GitHub*' }).Count | Should -Be 1
        }
    }

    Context 'the key' -Tag 'Security' {
        It 'prints <Name> as a table of Server, Email and UserId' -ForEach @(
            @{ Name = 'a key'; Count = 1 }
            @{ Name = 'two keys'; Count = 2 }
        ) {
            $lines = @(1..$Count | ForEach-Object { $key }) | ConvertTo-ZulipTestLines -Width $width

            $header = @($lines | Where-Object { $_.Trim() })[0]
            -split $header | Should -Be @('Server', 'Email', 'UserId')
            $rows = @($lines | Select-Object -Skip ([array]::IndexOf([string[]]$lines, $header) + 2) | Where-Object { $_.Trim() })
            $rows.Count | Should -Be $Count
            -split $rows[0] | Should -Be @($server.HttpUri.AbsoluteUri, $iago.Email, "$($iago.UserId)")
        }

        It 'lists exactly Server, Email and UserId' {
            $lines = $key | Format-List | ConvertTo-ZulipTestLines -Width $width

            Get-ZulipTestListName $lines | Should -Be @('Server', 'Email', 'UserId')
        }

        It 'never shows the key, nor a masked stand-in, in <Name>' -ForEach @(
            @{ Name = 'the default output' }
            @{ Name = 'Format-Table' }
            @{ Name = 'Format-List' }
            @{ Name = 'Format-List *' }
            @{ Name = 'ConvertTo-Json' }
            @{ Name = 'a string' }
        ) {
            $text = switch ($Name) {
                'the default output' { $key | Out-String -Width $width }
                'Format-Table' { $key | Format-Table | Out-String -Width $width }
                'Format-List' { $key | Format-List | Out-String -Width $width }
                'Format-List *' { $key | Format-List -Property * | Out-String -Width $width }
                'ConvertTo-Json' { $key | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue }
                'a string' { "$key" }
            }

            $text | Should -Not -BeNullOrEmpty
            $text.Contains($iago.ApiKey) | Should -BeFalse
            if ($Name -notin 'Format-List *', 'ConvertTo-Json') {
                # The views name no secret at all; only an explicit "every property" shows that a credential exists.
                foreach ($hint in 'ApiKey', 'Credential', 'SecureString', '***') {
                    $text.Contains($hint) | Should -BeFalse -Because "$Name shows no '$hint'"
                }
            }
        }
    }
}
