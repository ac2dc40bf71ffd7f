@{
    # The single source of the version: MSBuild reads ModuleVersion from this file for the assembly.
    RootModule           = 'ZulipAuth.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c7f2e-3d4a-4f6b-9a51-2c8e7d1f0a93'
    Author               = 'ZulipAuth contributors'
    CompanyName          = 'ZulipAuth'
    Copyright            = '(c) ZulipAuth contributors. MIT License.'
    Description          = 'Turns Zulip credentials into a Zulip API key (POST /api/v1/fetch_api_key), discovers what a server allows, checks a key, and stores it in the zuliprc file that Zulip''s own tools read. Secrets stay SecureString by default.'
    # The oldest host the module is written for. Tested: PowerShell 7.6.9 on Linux (the pinned tool, every test
    # run). Not tested: Windows PowerShell 5.1 and PowerShell 7 on Windows or macOS, which cannot run here; the
    # 5.1 code paths are reviewed only (docs/design.md, "Which PowerShell versions were tested").
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('ZulipAuth.format.ps1xml')
    CmdletsToExport      = @(
        'Get-ZulipApiKey'
        'Get-ZulipServerSettings'
        'Test-ZulipApiKey'
        'Export-ZulipRc'
        'Import-ZulipRc'
        'Reset-ZulipApiKey'
        'Get-ZulipBotApiKey'
        'Reset-ZulipBotApiKey'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Zulip', 'ApiKey', 'Authentication', 'zuliprc', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # No ProjectUri, LicenseUri or ReleaseNotes link: the project has no public home yet, and a gallery
            # page must not link to an address that does not exist. The MIT license ships as LICENSE.
            # Prerelease and ModuleVersion together are the CHANGELOG's top heading (ManifestTests).
            Prerelease   = 'preview1'
        }
    }
}
