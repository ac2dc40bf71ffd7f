using System.Collections;
using System.Management.Automation;
using System.Text;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Answers built to crash, leak or forge output, through the cmdlets: each input fails on its own with a Zulip
/// ErrorId, the pipeline goes on, and no secret and no control character reaches a stream.
/// </summary>
public class HostileAnswerTests : ModuleTestBase
{
    private const string Settings = """{"result":"success","msg":"","zulip_version":"9.0","zulip_feature_level":257,"authentication_methods":{"password":true},"email_auth_enabled":true,"require_email_format_usernames":true,"realm_name":"Evil\r\n\u001b[31mOrg\u202e"}""";

    private const string Key = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    // The password as the form body carries it, which a server echoing the raw body would repeat.
    private static readonly string EncodedCanary = Uri.EscapeDataString(CanaryPassword);

    private static string Nested(int levels) => "{\"result\":\"success\",\"x\":" + new string('[', levels) + new string(']', levels) + "}";

    private static string JsonString(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>Three inputs in one pipeline, so a terminating failure on the first shows as fewer than three errors.</summary>
    private PsResult GetKeyThrice(string server, string user, string extra = "") =>
        Session.RunWith($"param($Server, $Credential) 1..3 | ForEach-Object {{ [pscustomobject]@{{ Server = $Server; Credential = $Credential }} }} | Get-ZulipApiKey {extra}",
            new Hashtable { ["Server"] = server, ["Credential"] = Cred(user, CanaryPassword) });

    private static void AssertThreeErrors(PsResult result, string errorId)
    {
        Assert.Null(result.Terminating);
        Assert.Equal(3, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.StartsWith(errorId + ",", e.FullyQualifiedErrorId));
    }

    /// <summary>The printed text of every stream (stack traces left out: they are the runtime's lines, not ours).</summary>
    private static IEnumerable<string> PrintedText(PsResult result)
    {
        foreach (var e in result.Errors)
        {
            yield return e.Exception.Message;
            yield return e.ErrorDetails?.Message ?? string.Empty;
            yield return e.ErrorDetails?.RecommendedAction ?? string.Empty;
            yield return e.CategoryInfo.ToString();
        }

        foreach (var text in result.Warnings.Concat(result.Verbose).Concat(result.Debug).Concat(result.Information))
        {
            yield return text;
        }
    }

    private static void AssertPrintable(PsResult result)
    {
        foreach (var text in PrintedText(result))
        {
            Assert.False(text.Any(c => c < ' ' || (c >= '\u007f' && c <= '\u009f') || c == '\u202e' || c == '\u200b'), "A control or bidi character reached a stream: " + text.Replace('\u001b', '^'));
        }
    }

    [Fact]
    public async Task ADeeplyNestedAnswerIsAnErrorPerInputAndTheProcessLives()
    {
        await using var server = new RawLoopbackServer((_, _) => Nested(20_000));

        var settings = Session.Run("$args[0], $args[0], $args[0] | Get-ZulipServerSettings", server.Url);
        var test = Session.RunWith("param($Server, $Credential) 1..3 | ForEach-Object { Test-ZulipApiKey -Server $Server -Credential $Credential }",
            new Hashtable { ["Server"] = server.Url, ["Credential"] = Cred(TestUsers.Iago.Email, Key) });

        AssertThreeErrors(settings, "ZulipUnexpectedResponse");
        AssertThreeErrors(test, "ZulipUnexpectedResponse");
        AssertError(settings.Errors[0], "ZulipUnexpectedResponse", ErrorCategory.InvalidResult);
        AssertTheRunspaceStillFetchesAKey();
    }

    [Theory]
    [InlineData("an api_key over 65,536 characters", "\"api_key\":\"LONGKEY\",\"email\":\"iago@zulip.com\",\"user_id\":5")]
    [InlineData("an api_key that is a number", "\"api_key\":123,\"email\":\"iago@zulip.com\",\"user_id\":5")]
    [InlineData("a user_id that is a string", "\"api_key\":\"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv\",\"email\":\"iago@zulip.com\",\"user_id\":\"5\"")]
    [InlineData("an email with CR LF", "\"api_key\":\"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv\",\"email\":\"iago@zulip.com\\r\\nX: 1\",\"user_id\":5")]
    public async Task AMistypedKeyAnswerIsAnErrorPerInput(string what, string members)
    {
        var body = "{\"result\":\"success\",\"msg\":\"\"," + members.Replace("LONGKEY", new string('a', 70_000), StringComparison.Ordinal) + "}";
        await using var server = new RawLoopbackServer((_, path) => path.EndsWith("server_settings", StringComparison.Ordinal) ? Settings : body);

        var result = GetKeyThrice(server.Url, TestUsers.Iago.Email);

        AssertThreeErrors(result, "ZulipUnexpectedResponse");
        Assert.Empty(result.Output);
        result.AssertNoSecret(CanaryPassword, EncodedCanary);
        AssertPrintable(result);
        Assert.True(what.Length > 0);
    }

    [Fact]
    public async Task APasswordRepeatedByTheServerReachesNoStream()
    {
        var msg = $"Wrong password {CanaryPassword} (body: username=x&password={EncodedCanary})\r\n\u001b[2J";
        await using var server = new RawLoopbackServer((_, path) => path.EndsWith("server_settings", StringComparison.Ordinal)
            ? Settings
            : RawLoopbackServer.Json(401, $$"""{"result":"error","msg":{{JsonString(msg)}},"code":"AUTHENTICATION_FAILED"}"""));

        var result = GetKeyThrice(server.Url, TestUsers.Iago.Email + "\r\nVERBOSE: forged \u001b[31m", "-Verbose");

        AssertThreeErrors(result, "ZulipAuthenticationFailed");
        result.AssertNoSecret(CanaryPassword, EncodedCanary);
        AssertPrintable(result);
        Assert.Contains(result.Verbose, v => v.Contains("as 'iago@zulip.com\uFFFD\uFFFDVERBOSE: forged \uFFFD[31m'", StringComparison.Ordinal));
        Assert.All(result.Errors, e => Assert.Contains("Wrong password ********", (string?)Prop(e.Exception, "ServerMessage"), StringComparison.Ordinal));
        Assert.Equal(3 + 1, server.Requests);
    }

    [Fact]
    public async Task AKeyRepeatedByTheServerReachesNoStream()
    {
        var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes(TestUsers.Iago.Email + ":" + Key));
        await using var server = new RawLoopbackServer((_, _) =>
            RawLoopbackServer.Json(401, $$"""{"result":"error","msg":{{JsonString($"Invalid API key {Key} (Basic {pair})\r\n")}},"code":"UNAUTHORIZED"}"""));

        var result = Session.RunWith("param($Server, $Credential) 1..3 | ForEach-Object { Test-ZulipApiKey -Server $Server -Credential $Credential -Verbose }",
            new Hashtable { ["Server"] = server.Url, ["Credential"] = Cred(TestUsers.Iago.Email, Key) });

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(new object[] { false, false, false }, result.Output.Select(o => o.BaseObject));
        result.AssertNoSecret(Key, pair);
        AssertPrintable(result);
        Assert.Contains(result.Verbose, v => v.Contains("Invalid API key ******** (Basic ********)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerTextWithControlCharactersPrintsNeutralisedAndKeepsItsValue()
    {
        await using var server = new RawLoopbackServer((_, _) => Settings);

        var result = Session.Run("Get-ZulipServerSettings -Server $args[0] -Verbose | ForEach-Object { $_; $_.ToString() }", server.Url);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal("Evil\r\n\u001b[31mOrg\u202e", result.Output[0].Properties["RealmName"].Value);
        Assert.StartsWith("Evil\uFFFD\uFFFD\uFFFD[31mOrg\uFFFD (", (string)result.Output[1].BaseObject, StringComparison.Ordinal);
        AssertPrintable(result);
    }

    [Theory]
    [InlineData("127.0.0\u202e.1")]
    [InlineData("127.0.0\u200b.1")]
    [InlineData("127.0.0.1\u00ad")]
    public async Task AServerNameWithHiddenCharactersIsRefusedAndThePipelineGoesOn(string trick)
    {
        await using var server = new RawLoopbackServer((_, _) => Settings);
        var tricked = server.Url.Replace("127.0.0.1", trick, StringComparison.Ordinal);

        var result = Session.Run("$args[0], $args[1], $args[0] | Get-ZulipServerSettings", server.Url, tricked);

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Output.Count);
        AssertError(Assert.Single(result.Errors), "ZulipInvalidServer", ErrorCategory.InvalidArgument);
        Assert.Equal(2, server.Requests);
        AssertPrintable(result);
    }

    [Fact]
    public void AnIPv6ZoneIdIsRefusedNotDropped()
    {
        var result = Session.Run("'http://[fe80::1%25lo]:9', 'http://[fe80::1%lo]:9' | Get-ZulipServerSettings -TimeoutSec 2");

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => AssertError(e, "ZulipInvalidServer", ErrorCategory.InvalidArgument));
    }
}
