#Requires -Version 5.1
<#
.SYNOPSIS
    Helpers shared by the Pester files (dot-source it in BeforeAll, after TestServer.ps1): the development
    canary password, credentials, and a capture of every stream for the secrets scans.
#>

function Get-ZulipTestCanary {
    <#
    .SYNOPSIS
        A password that must never show up anywhere but in the request that carries it (with form-encoding
        characters and a non-ASCII letter, so an encoded or decoded copy would be just as visible).
    #>
    [OutputType([string])]
    param()
    'Canary-Pw-7f3a&=+%' + [char]0x00FC
}

function New-ZulipTestCredential {
    [CmdletBinding()]
    [OutputType([pscredential])]
    param(
        [Parameter(Mandatory)] [string] $UserName,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $Password
    )
    $secure = [System.Security.SecureString]::new()
    foreach ($c in $Password.ToCharArray()) {
        $secure.AppendChar($c)
    }

    $secure.MakeReadOnly()
    [pscredential]::new($UserName, $secure)
}

function Get-ZulipTestUnusedPort {
    <#
    .SYNOPSIS
        A loopback port nothing listens on (bound and released at once), for "connection refused".
    #>
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try {
        $listener.LocalEndpoint.Port
    }
    finally {
        $listener.Stop()
    }
}

function Invoke-ZulipCaptured {
    <#
    .SYNOPSIS
        Runs a script block with every stream at its most talkative and captures all of them: Output (the
        objects), Errors (ErrorRecords, including a terminating one), Warnings, Verbose, and Text, every
        piece of non-output text a user could see or log, for the secrets scans.
    .DESCRIPTION
        Debug output is switched on through $DebugPreference rather than -Debug, which in Windows PowerShell
        means "Inquire" and would stop for a prompt.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)

    # The script block runs in a child scope of this function and sees the caller's variables through it,
    # so the locals it can see before it ends have names no test uses.

    $VerbosePreference = 'Continue'
    $DebugPreference = 'Continue'
    $InformationPreference = 'Continue'
    $WarningPreference = 'Continue'
    $ErrorActionPreference = 'Continue'

    $zulipCapturedRecords = [System.Collections.Generic.List[object]]::new()
    $zulipCapturedTerminating = $null
    try {
        # Piped rather than collected, so what came before a terminating error is kept.
        & $ScriptBlock *>&1 | ForEach-Object { $zulipCapturedRecords.Add($_) }
    }
    catch {
        $zulipCapturedTerminating = $_
    }

    $output = @($zulipCapturedRecords | Where-Object {
            -not ($_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.WarningRecord] -or
                $_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord] -or
                $_ -is [System.Management.Automation.InformationRecord])
        })
    $errors = @($zulipCapturedRecords | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    if ($zulipCapturedTerminating) {
        $errors += $zulipCapturedTerminating
    }

    $text = [System.Collections.Generic.List[string]]::new()
    foreach ($record in $zulipCapturedRecords) {
        if ($record -is [System.Management.Automation.WarningRecord] -or $record -is [System.Management.Automation.VerboseRecord] -or $record -is [System.Management.Automation.DebugRecord]) {
            $text.Add($record.Message)
        }
        elseif ($record -is [System.Management.Automation.InformationRecord]) {
            $text.Add([string]$record.MessageData)
        }
    }

    foreach ($errorRecord in $errors) {
        $text.Add($errorRecord.ToString())
        $text.Add([string]$errorRecord.FullyQualifiedErrorId)
        $text.Add([string]$errorRecord.CategoryInfo)
        $text.Add([string]$errorRecord.TargetObject)
        if ($errorRecord.ErrorDetails) {
            $text.Add([string]$errorRecord.ErrorDetails.Message)
            $text.Add([string]$errorRecord.ErrorDetails.RecommendedAction)
        }

        for ($exception = $errorRecord.Exception; $exception; $exception = $exception.InnerException) {
            $text.Add($exception.ToString())
            foreach ($property in $exception.PSObject.Properties) {
                try {
                    $text.Add([string]$property.Value)
                }
                catch {
                    # A property whose getter throws shows nothing to a user either.
                    $null = $_
                }
            }
        }
    }

    [pscustomobject]@{
        Output   = $output
        Errors   = $errors
        Warnings = @($zulipCapturedRecords | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $_.Message })
        Verbose  = @($zulipCapturedRecords | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        Text     = $text -join "`n"
    }
}

function Get-ZulipTestErrorId {
    <#
    .SYNOPSIS
        The module's ErrorId of an ErrorRecord: FullyQualifiedErrorId up to the first comma
        ("ZulipTimeout,ZulipAuth.Commands.GetZulipApiKeyCommand" -> "ZulipTimeout").
    #>
    [OutputType([string])]
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    ($ErrorRecord.FullyQualifiedErrorId -split ',')[0]
}
