using static ZulipAuth.ModuleTests.Hostile.Answers;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// A 40 KB answer nested 20,000 levels deep, to each cmdlet, in a fresh process: the process must live
/// (exit code 0, "done" printed) and the call end in ZulipUnexpectedResponse.
/// </summary>
public class HostileChildProcessTests
{
    private const int Depth = 20_000;

    public static TheoryData<string> Commands => new() { "Get-ZulipApiKey", "Get-ZulipServerSettings", "Test-ZulipApiKey" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void TwentyThousandLevelsOfNestingEndInAnErrorAndTheProcessLives(string command)
    {
        using var server = new HostileServer(TimeSpan.FromSeconds(60));
        var deep = ",\"x\":" + Nested(Depth);
        switch (command)
        {
            case "Get-ZulipApiKey":
                server.On("POST", FetchPath, Json(200, FetchWith(extra: deep)));
                break;
            case "Get-ZulipServerSettings":
                server.On("GET", SettingsPath, (_, w) => w.RespondAsync(200, SettingsJson(w.Server.Http, extra: deep)));
                break;
            default:
                server.On("GET", UsersMePath, Json(200, UsersMe(extra: deep)));
                break;
        }

        var credential = $"[pscredential]::new('{Email}', [System.Net.NetworkCredential]::new('', '{(command == "Test-ZulipApiKey" ? Secrets.Key : "pw")}').SecurePassword)";
        var script = command == "Get-ZulipServerSettings"
            ? $"Get-ZulipServerSettings -Server {server.Http}"
            : $"{command} -Server {server.Http} -Credential ({credential})";

        var (exitCode, output, elapsed) = HostileChild.Run(script, TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"the process died (exit code {exitCode}) after {elapsed.TotalSeconds:0.0} s: {output}");
        Assert.Contains("done", output);
        Assert.Contains("error ZulipUnexpectedResponse,", output);
        Assert.DoesNotContain("output ", output);
    }

    /// <summary>The child harness itself reports a Zulip error it meets, so the test above can pass once the reader is bounded.</summary>
    [Fact]
    public void TheChildReportsTheErrorOfAShallowBadAnswer()
    {
        using var server = new HostileServer(TimeSpan.FromSeconds(60));
        server.On("GET", SettingsPath, Json(200, "[1]"));

        var (exitCode, output, _) = HostileChild.Run($"Get-ZulipServerSettings -Server {server.Http}", TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        Assert.Contains("error ZulipUnexpectedResponse,", output);
        Assert.EndsWith("done\n", output);
    }
}
