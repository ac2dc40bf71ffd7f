using System.Collections;
using System.Diagnostics;
using System.Management.Automation;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// Runs one hostile scenario through its cmdlet in a hosted engine and asserts everything the suite promises:
/// the ErrorId (non-terminating, a ZulipApiException), a bounded duration, no secret in any stream, in $Error,
/// Get-Error, exception text (inner ones too), TargetObject or the console rendering a transcript would keep, no control or bidi character
/// in any text a stream carries, and afterwards a usable runspace whose next good call succeeds.
/// </summary>
public static class HostileRunner
{
    public static PsResult Run(PsSession session, HostileCase scenario)
    {
        PsResult result;
        using (var server = new HostileServer())
        {
            scenario.Arrange(server);
            // A scenario that failed before may have left records behind; each scans only its own.
            session.Run("$Error.Clear()");
            var clock = Stopwatch.StartNew();
            result = session.RunWith(Script(scenario), Parameters(server, scenario));
            var elapsed = clock.Elapsed;
            Timings.Record(scenario.Name, elapsed, result.Errors.Count > 0 || result.Terminating != null);

            AssertOutcome(scenario, result);
            Assert.True(elapsed < TimeSpan.FromSeconds(scenario.MaxSeconds), $"{scenario.Name}: took {elapsed.TotalSeconds:0.0} s, more than {scenario.MaxSeconds} s");
            AssertNoSecret(scenario, result, session);
            AssertNoControlCharacters(scenario, result);
            scenario.Verify?.Invoke(server, result, elapsed);
        }

        AssertStillWorks(session);
        return result;
    }

    /// <summary>The runspace still answers, and a good server right after gives a key.</summary>
    public static void AssertStillWorks(PsSession session)
    {
        Assert.Equal(2, Assert.Single(session.Run("1 + 1").Output).BaseObject);
        using var good = new HostileServer(TimeSpan.FromSeconds(20));
        var next = session.RunWith("param($Server, $Credential) Get-ZulipApiKey -Server $Server -Credential $Credential",
            new Hashtable { ["Server"] = good.Http, ["Credential"] = PsSession.Credential(HostileServer.Email, Secrets.Password) });
        Assert.Null(next.Terminating);
        Assert.Empty(next.Errors);
        Assert.Equal(HostileServer.Email, Assert.Single(next.Output).Properties["Email"].Value);
    }

    private static string Script(HostileCase scenario)
    {
        var command = scenario.Command switch
        {
            HostileCommand.GetKey => "Get-ZulipApiKey -Server $Server -Credential $Credential",
            HostileCommand.Settings => "Get-ZulipServerSettings -Server $Server",
            _ => "Test-ZulipApiKey -Server $Server -Credential $Credential",
        };

        return $"param($Server, $Credential) {command} {scenario.Extra} {(scenario.Tls ? "-SkipCertificateCheck" : string.Empty)}";
    }

    private static Hashtable Parameters(HostileServer server, HostileCase scenario)
    {
        var secret = scenario.Command == HostileCommand.TestKey ? Secrets.Key : Secrets.Password;
        return new Hashtable
        {
            ["Server"] = scenario.ServerArgument?.Invoke(server) ?? (scenario.Tls ? server.Https : server.Http),
            ["Credential"] = PsSession.Credential(scenario.User, secret),
        };
    }

    private static void AssertOutcome(HostileCase scenario, PsResult result)
    {
        Assert.True(result.Terminating == null, $"{scenario.Name}: terminating error {result.Terminating?.ErrorRecord?.FullyQualifiedErrorId}: {result.Terminating?.Message}");
        if (scenario.ErrorId == null)
        {
            Assert.True(result.Errors.Count == 0, $"{scenario.Name}: expected success, got {string.Join("; ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message))}");
            var output = Assert.Single(result.Output);
            if (scenario.Verdict is { } verdict)
            {
                Assert.Equal(verdict, output.BaseObject);
            }

            return;
        }

        Assert.True(result.Errors.Count == 1, $"{scenario.Name}: expected one {scenario.ErrorId}, got {result.Errors.Count} errors and {result.Output.Count} outputs: {string.Join("; ", result.Errors.Select(e => e.FullyQualifiedErrorId))}");
        var error = result.Errors[0];
        Assert.True(error.FullyQualifiedErrorId.StartsWith(scenario.ErrorId + ",", StringComparison.Ordinal),
            $"{scenario.Name}: expected {scenario.ErrorId}, got {error.FullyQualifiedErrorId}: {error.Exception.Message}");
        Assert.Equal("ZulipAuth.ZulipApiException", error.Exception.GetType().FullName);
        Assert.Empty(result.Output);
    }

    private static void AssertNoSecret(HostileCase scenario, PsResult result, PsSession session)
    {
        var texts = result.NonOutputText().ToList();
        // $Error and Get-Error as a user would look at them afterwards, then $Error is emptied for the next scenario.
        var afterwards = session.Run("$Error | ForEach-Object { $_ | Out-String; $_.Exception.ToString(); \"$($_.TargetObject)\"; $_.ScriptStackTrace }; " +
                                     "if ($Error.Count) { $Error[0] | Get-Error | Out-String }; $Error.Clear()");
        texts.AddRange(afterwards.Output.Select(o => o?.ToString() ?? string.Empty));
        texts.AddRange(result.Output.Select(o => o?.ToString() ?? string.Empty));
        texts.AddRange(session.Run("$args[0] | Format-List * | Out-String", result.Output.ToArray()).Output.Select(o => o.ToString()));
        // Start-Transcript lives in Microsoft.PowerShell.Host, which the hosted engine (the SMA package) does not
        // ship; what a transcript would keep is each record rendered as the console shows it, scanned above and here.
        texts.AddRange(session.Run("$args | Out-String", result.Errors.Cast<object>().Concat(result.Warnings).Concat(result.Verbose).ToArray()).Output.Select(o => o.ToString()));

        foreach (var (label, value) in Secrets.All(scenario.User))
        {
            foreach (var text in texts)
            {
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"{scenario.Name}: the {label} reached a stream, $Error, Get-Error or the transcript");
            }
        }
    }

    private static void AssertNoControlCharacters(HostileCase scenario, PsResult result)
    {
        var streamText = result.Warnings.Concat(result.Verbose).Concat(result.Debug).Concat(result.Information)
            .Concat(result.Progress.Select(p => p.Activity + p.StatusDescription + p.CurrentOperation))
            .Concat(result.Errors.SelectMany(e => new[] { e.ToString(), e.Exception.Message, e.ErrorDetails?.Message ?? string.Empty, e.ErrorDetails?.RecommendedAction ?? string.Empty, e.TargetObject?.ToString() ?? string.Empty }));
        foreach (var text in streamText)
        {
            var bad = text.FirstOrDefault(IsForbidden);
            Assert.True(bad == default(char), $"{scenario.Name}: U+{(int)bad:X4} reached a stream in: {Printable(text)}");
        }
    }

    /// <summary>The characters the decisions say are replaced by U+FFFD in server text shown anywhere.</summary>
    public static bool IsForbidden(char c) =>
        c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2060 && c <= 0x2069) || c == 0x061C || c == 0xFEFF;

    private static string Printable(string text) => new(text.Select(c => IsForbidden(c) ? '?' : c).Take(300).ToArray());
}
