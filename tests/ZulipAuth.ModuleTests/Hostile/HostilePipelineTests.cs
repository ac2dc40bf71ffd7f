using System.Collections;
using System.Text;
using static ZulipAuth.ModuleTests.Hostile.Answers;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// A failure caused by one input ends that input only: in a 3-item pipeline whose middle server is hostile,
/// items 1 and 3 still produce their output and the middle one gives one non-terminating Zulip error.
/// </summary>
public class HostilePipelineTests(HostileSessionFixture fixture) : IClassFixture<HostileSessionFixture>
{
    public static TheoryData<string, string> Middles => new()
    {
        { "gzip garbage", "ZulipUnexpectedResponse" },
        { "deflate garbage", "ZulipUnexpectedResponse" },
        { "redirect to file", "ZulipRedirected" },
        { "redirect to ftp", "ZulipRedirected" },
        { "redirect to gopher", "ZulipRedirected" },
        { "realm_url ftp", "ZulipRedirected" },
        { "api_key of 70,000 characters", "ZulipUnexpectedResponse" },
        { "arrays 100 deep", "ZulipUnexpectedResponse" },
    };

    private static void Arrange(HostileServer s, string middle)
    {
        switch (middle)
        {
            case "gzip garbage":
                s.On("GET", SettingsPath, Bytes(200, Garbage, "Content-Encoding: gzip"));
                s.On("POST", FetchPath, Bytes(200, Garbage, "Content-Encoding: gzip"));
                break;
            case "deflate garbage":
                s.On("GET", SettingsPath, Bytes(200, Garbage, "Content-Encoding: deflate"));
                s.On("POST", FetchPath, Bytes(200, Garbage, "Content-Encoding: deflate"));
                break;
            case "redirect to file":
                s.On("GET", SettingsPath, (_, w) => w.RespondAsync(302, "{}", "application/json", "Location: file:///etc/passwd"));
                break;
            case "redirect to ftp":
                s.On("GET", SettingsPath, (_, w) => w.RespondAsync(302, "{}", "application/json", $"Location: ftp://127.0.0.1:{w.Server.Port}/"));
                break;
            case "redirect to gopher":
                s.On("GET", SettingsPath, (_, w) => w.RespondAsync(302, "{}", "application/json", $"Location: gopher://127.0.0.1:{w.Server.Port}/"));
                break;
            case "realm_url ftp":
                // Settings themselves are fine (so Get-ZulipServerSettings succeeds); the login must ignore the URL.
                s.RealmUrl = $"ftp://127.0.0.1:{s.Port}";
                break;
            case "api_key of 70,000 characters":
                s.On("POST", FetchPath, Json(200, FetchWith(apiKey: "\"" + new string('k', 70_000) + "\"")));
                break;
            case "arrays 100 deep":
                s.On("GET", SettingsPath, (_, w) => w.RespondAsync(200, SettingsJson(w.Server.Http, extra: ",\"x\":" + Nested(100))));
                s.On("POST", FetchPath, Json(200, FetchWith(extra: ",\"x\":" + Nested(100))));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Middles))]
    public void GetZulipApiKeyGoesOnPastAHostileMiddleItem(string middle, string errorId)
    {
        using var first = new HostileServer(TimeSpan.FromSeconds(20));
        using var hostile = new HostileServer(TimeSpan.FromSeconds(20));
        using var third = new HostileServer(TimeSpan.FromSeconds(20));
        Arrange(hostile, middle);
        var credential = PsSession.Credential(Email, Secrets.Password);
        var items = new[] { first, hostile, third }.Select(s => new Hashtable { ["Server"] = s.Http, ["Credential"] = credential }).ToArray();

        var result = fixture.Session.RunWith("param($Items) $Items | ForEach-Object { [pscustomobject]$_ } | Get-ZulipApiKey", new Hashtable { ["Items"] = items });

        Assert.Null(result.Terminating);
        // A realm_url the login must ignore is no error at all: all three succeed.
        var expectedErrors = middle == "realm_url ftp" ? 0 : 1;
        Assert.Equal(3 - expectedErrors, result.Output.Count);
        Assert.Equal(first.Http + "/", result.Output[0].Properties["Server"].Value?.ToString());
        Assert.Equal(third.Http + "/", result.Output[^1].Properties["Server"].Value?.ToString());
        Assert.Equal(expectedErrors, result.Errors.Count);
        if (expectedErrors == 1)
        {
            Assert.StartsWith(errorId + ",", result.Errors[0].FullyQualifiedErrorId);
        }

        Assert.Equal(1, first.Posts);
        Assert.Equal(1, third.Posts);
        result.AssertNoSecret(Secrets.Password, HostileServer.IssuedKey);
    }

    [Theory]
    [MemberData(nameof(Middles))]
    public void GetZulipServerSettingsGoesOnPastAHostileMiddleItem(string middle, string errorId)
    {
        using var first = new HostileServer(TimeSpan.FromSeconds(20));
        using var hostile = new HostileServer(TimeSpan.FromSeconds(20));
        using var third = new HostileServer(TimeSpan.FromSeconds(20));
        Arrange(hostile, middle);
        var failsSettings = middle is not ("realm_url ftp" or "api_key of 70,000 characters");

        var result = fixture.Session.Run("$args | Get-ZulipServerSettings", first.Http, hostile.Http, third.Http);

        Assert.Null(result.Terminating);
        Assert.Equal(failsSettings ? 2 : 3, result.Output.Count);
        Assert.Equal(first.Http + "/", result.Output[0].Properties["Server"].Value?.ToString());
        Assert.Equal(third.Http + "/", result.Output[^1].Properties["Server"].Value?.ToString());
        if (failsSettings)
        {
            Assert.StartsWith(errorId + ",", Assert.Single(result.Errors).FullyQualifiedErrorId);
        }
        else
        {
            Assert.Empty(result.Errors);
        }
    }
}
