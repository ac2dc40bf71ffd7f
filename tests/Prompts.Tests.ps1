#Requires -Version 5.1
# Pester 5. What a user sees when -Credential is a user name alone: pwsh's own console prompt, in a terminal.
# Run: ./build.ps1 -Task Test, or Invoke-Pester ./tests/Prompts.Tests.ps1 -Output Detailed

Describe 'credential prompts at a real console' -Tag 'Prompt' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestServer.ps1')
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Initialize-ZulipTestBuild
        $modulePath = (Resolve-Path (Join-Path $PSScriptRoot '../out/ZulipAuth')).Path
        Import-Module $modulePath -Force

        $server = Start-ZulipTestServer
        $iago = Get-ZulipTestUser -Server $server -Name Iago
        $authority = $server.HttpUri.Authority

        # The same PowerShell as this one (the pinned tool runs as "dotnet pwsh.dll").
        $self = (Get-Process -Id $PID).Path
        $selfArguments = @(@([Environment]::GetCommandLineArgs()[0]) | Where-Object { $_ -like '*.dll' })

        # Runs a command in a terminal (a pseudo-terminal, so pwsh uses its console prompt as for a person),
        # types $env:PROMPT_ANSWER once the prompt asks, and returns everything the terminal showed. Bounded:
        # the child is killed after 60 s.
        $terminal = @'
import os, pty, select, sys, time, signal
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
shown, asked, answered, deadline = b'', None, False, time.time() + 60
while time.time() < deadline:
    # Typed a moment after the prompt appears, once pwsh reads keys itself (before that the terminal
    # would echo them).
    if asked and not answered and time.time() > asked + 1.5:
        for key in os.environ['PROMPT_ANSWER'].encode() + b'\r':
            os.write(fd, bytes([key]))
            time.sleep(0.02)
        answered = True
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    shown += data
    # Answer the cursor-position queries .NET's console sends, as a terminal would; unanswered, each one
    # waits and swallows typed keys.
    for _ in range(data.count(b'\x1b[6n')):
        os.write(fd, b'\x1b[1;1R')
    if asked is None and b'Password for user' in shown:
        asked = time.time()
else:
    os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.stdout.write(shown.decode('utf-8', 'replace'))
'@

        function Invoke-InTerminal {
            param([Parameter(Mandatory)] [string] $Command, [Parameter(Mandatory)] [string] $Answer)
            $script = Join-Path $TestDrive "$([guid]::NewGuid().ToString('N')).ps1"
            Set-Content -LiteralPath $script -Value "Import-Module '$modulePath'`n$Command"
            $env:PROMPT_ANSWER = $Answer
            try {
                $shown = & python3 -c $terminal $self @selfArguments -NoProfile -NoLogo -File $script
            }
            finally {
                Remove-Item Env:PROMPT_ANSWER
            }
            # Without the terminal's colour and cursor sequences.
            ($shown -join "`n") -replace '\x1b\[[0-9;?]*[A-Za-z=>]', '' -replace '\x1b[=>]', '' -replace "`r", ''
        }
    }

    AfterAll {
        Stop-ZulipTestServer -Server $server
    }

    BeforeEach {
        Reset-ZulipTestServer -Server $server
    }

    It 'Get-ZulipApiKey asks for the password of that user on that server' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
        $shown = Invoke-InTerminal -Answer $iago.Password -Command "(Get-ZulipApiKey -Server '$($server.HttpUri)' -Credential '$($iago.Email)').Email"

        $shown | Should -Match ([regex]::Escape("Password for $($iago.Email) on $authority") -replace '\\ ', '\s+')
        $shown | Should -Match "(?m)^$([regex]::Escape($iago.Email))$" -Because 'the key was fetched with what was typed'
        $shown | Should -Not -Match ([regex]::Escape($iago.Password)) -Because 'the password is not echoed'
    }

    It 'Test-ZulipApiKey asks for the API key, not a password, naming the server' -Tag 'Platform:LinuxOrMacOS' -Skip:(-not ($IsLinux -or $IsMacOS)) {
        $shown = Invoke-InTerminal -Answer $iago.ApiKey -Command "'verdict=' + (Test-ZulipApiKey -Server '$($server.HttpUri)' -Credential '$($iago.Email)')"

        $shown | Should -Match ([regex]::Escape("API key of $($iago.Email) on $authority") -replace '\\ ', '\s+')
        $shown | Should -Match '(?m)^verdict=True$'
        $shown | Should -Not -Match ([regex]::Escape($iago.ApiKey))
    }
}
