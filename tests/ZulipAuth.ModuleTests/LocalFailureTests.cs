using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Failures the module finds itself, before or without a server's answer, read as the server's do: what
/// happened, then a recommended action, nothing said twice.
/// </summary>
public class LocalFailureTests : ModuleTestBase
{
    public static TheoryData<string, string> Failures => new()
    {
        { "invalid -Server", "Get-ZulipServerSettings -Server 'https://chat.example.com/some/path'" },
        { "hidden character in -Server", "Get-ZulipServerSettings -Server \"chat.exa`u{202E}mple.com\"" },
        { "a login name where emails are required", "Get-ZulipApiKey -Server $args[0] -Credential $args[1]" },
        { "conflicting proxy parameters", "Get-ZulipServerSettings -Server $args[0] -NoProxy -Proxy http://127.0.0.1:9" },
        { "plain http to a remote server", "Get-ZulipApiKey -Server http://chat.example.com -Credential $args[1]" },
        { "path on another provider", "Import-ZulipRc -Path Env:\\PATH" },
        { "a zuliprc that is missing", "Import-ZulipRc -Path ([IO.Path]::Combine([IO.Path]::GetTempPath(), [guid]::NewGuid().ToString('N')))" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void SaysWhatHappenedThenWhatToDo(string name, string script)
    {
        // Caught, so that terminating (conflicting parameters) and non-terminating failures are read alike.
        var result = Session.Run("try { " + script + " -ErrorAction Stop } catch { $_ }", Http, Cred("iago", CanaryPassword));

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.StartsWith("Zulip", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        ErrorRecordAssert.SaysWhatAndWhatToDoOnce(error);
        result.AssertNoSecret(CanaryPassword);
        Assert.NotEmpty(name);
    }

    [Fact]
    public void PasswordLoginOffSaysSoThenWhereTheKeyIs()
    {
        Behaviour.PasswordAuthEnabled = false;

        var result = GetKey(Http, Cred(TestUsers.Iago.Email, CanaryPassword));

        var error = result.SingleError();
        AssertError(error, "ZulipPasswordAuthDisabled", ErrorCategory.NotEnabled);
        ErrorRecordAssert.SaysWhatAndWhatToDoOnce(error);
        Assert.Contains("API key", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
        result.AssertNoSecret(CanaryPassword);
    }
}
