using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>Text from a server or a user is printable once it is in a message, a stream or ToString(); data keeps its exact value.</summary>
public class DisplayTextTests
{
    public static TheoryData<string, char> UnsafeCharacters()
    {
        var data = new TheoryData<string, char>();
        foreach (var c in new[] { '\0', '\a', '\b', '\t', '\n', '\v', '\f', '\r', '\u001b', '\u001f' })
        {
            data.Add("C0", c);
        }

        data.Add("DEL", '\u007f');
        foreach (var c in new[] { '\u0080', '\u0085', '\u009b', '\u009f' })
        {
            data.Add("C1", c);
        }

        foreach (var c in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u061c\ufeff")
        {
            data.Add("bidi or invisible", c);
        }

        data.Add("line separator", '\u2028');
        data.Add("paragraph separator", '\u2029');
        return data;
    }

    [Theory]
    [MemberData(nameof(UnsafeCharacters))]
    public void EachUnsafeCharacterBecomesTheReplacementCharacter(string kind, char c)
    {
        Assert.Equal("a\uFFFDb", DisplayText.Neutralize("a" + c + "b"));
        Assert.True(kind.Length > 0);
    }

    [Theory]
    [InlineData("Zulip Dev")]
    [InlineData("Caf\u00e9 \u65e5\u672c \U0001F600 \u05e9\u05dc\u05d5\u05dd")]
    [InlineData("")]
    public void PrintableTextIsTheSameInstance(string text) => Assert.Same(text, DisplayText.Neutralize(text));

    [Fact]
    public async Task AServerMessageWithEscapesAndLineBreaksIsPrintableInTheMessageAndExactInServerMessage()
    {
        const string msg = "Bad\r\nWARNING: forged line \u001b[2J\u202eevil";
        var handler = new StubHandler(_ => TestSupport.Answer(401, System.Text.Json.JsonSerializer.Serialize(new { result = "error", msg, code = "AUTHENTICATION_FAILED" })));

        var e = await Assert.ThrowsAsync<ZulipApiException>(() => TestSupport.Client(handler).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("pw"), CancellationToken.None));

        Assert.Equal(msg, e.ServerMessage);
        Assert.False(DisplayText.HasUnsafe(e.Message));
        Assert.StartsWith("Bad\uFFFD\uFFFDWARNING: forged line \uFFFD[2J\uFFFDevil", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HintsArePrintableToo()
    {
        var e = ZulipApiException.WithHint(ZulipErrorId.ConfigInvalid, "what\n", "do\u001bthis");

        Assert.Equal("do\uFFFDthis", e.Hint);
        Assert.False(DisplayText.HasUnsafe(e.Message));
    }

    [Fact]
    public async Task ToStringOfTheSettingsIsPrintableWhileRealmNameKeepsItsValue()
    {
        const string name = "Evil\r\n\u001b]0;pwned\u0007Org";
        var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["result"] = "success", ["msg"] = "", ["zulip_version"] = "9.0", ["realm_name"] = name,
            ["authentication_methods"] = new Dictionary<string, bool> { ["password"] = true },
            ["external_authentication_methods"] = new[] { new { name = "x", display_name = "Git\u202eHub" } },
        });
        var settings = await TestSupport.Client(new StubHandler(_ => TestSupport.Answer(200, body))).GetServerSettingsAsync(TestSupport.Server, CancellationToken.None);

        Assert.Equal(name, settings.RealmName);
        Assert.False(DisplayText.HasUnsafe(settings.ToString()));
        Assert.Contains("Evil\uFFFD\uFFFD\uFFFD]0;pwned\uFFFDOrg", settings.ToString(), StringComparison.Ordinal);
        Assert.Equal("Git\u202eHub", settings.ExternalAuthenticationMethods[0].DisplayName);
        Assert.Equal("Git\uFFFDHub", settings.ExternalAuthenticationMethods[0].ToString());
    }

    [Fact]
    public void ToStringOfAKeyIsPrintableWhileEmailKeepsItsValue()
    {
        var key = new ZulipApiKey(TestSupport.Server, "a\u001b[8m@b.c", TestSupport.Secure("k"), 1);

        Assert.Equal("a\u001b[8m@b.c", key.Email);
        Assert.Equal($"a\uFFFD[8m@b.c on {TestSupport.Server}", key.ToString());
    }
}
