using System.Diagnostics;
using System.Text;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>The JSON reader against bytes a hostile server chooses: never a crash, never a non-Zulip exception.</summary>
public class ZulipJsonTests
{
    private static JsonObject? Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    private static JsonObject? Parse(byte[] bytes) => ZulipJson.TryParseObject(bytes, bytes.Length);

    private static string Nested(int levels) => "{\"result\":\"success\",\"x\":" + new string('[', levels) + new string(']', levels) + "}";

    [Theory]
    [InlineData(20_000)]
    [InlineData(200_000)]
    public void DeepNestingIsNotJsonAndReturnsQuickly(int levels)
    {
        // A recursive reader overflows the stack here, which ends the test process (and a PowerShell host) outright.
        var watch = Stopwatch.StartNew();

        Assert.Null(Parse(Nested(levels)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("{\"result\":\"success\",\"a\":null]]]]X")]
    [InlineData("{\"a\":null]]]]X")]
    public void StrayClosingBracketsAreNotJson(string text)
    {
        // The framework's reader indexes past its own scope stack on these (IndexOutOfRangeException).
        Assert.Null(Parse(text));
    }

    [Fact]
    public void SixtyFourLevelsAreReadAndSixtyFiveAreNot()
    {
        // The root object is level 1, so 63 arrays inside it make 64.
        var deepest = Parse(Nested(ZulipJson.MaxDepth - 1));
        Assert.NotNull(deepest);
        var inner = deepest!.GetArray("x");
        for (var level = 3; level <= ZulipJson.MaxDepth; level++)
        {
            inner = Assert.IsType<List<object?>>(Assert.Single(inner!));
        }

        Assert.Empty(inner!);
        Assert.Null(Parse(Nested(ZulipJson.MaxDepth)));
    }

    [Fact]
    public void DeepObjectsAreBoundedToo()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            text.Append("{\"a\":");
        }

        text.Append('1').Append('}', 10_000);

        Assert.Null(Parse(text.ToString()));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}' })]
    public void InvalidUtf8IsNotJson(byte[] body) => Assert.Null(Parse(body));

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"result\":\"success\"}]")]
    [InlineData("\"success\"")]
    [InlineData("5")]
    [InlineData("null")]
    [InlineData("{\"a\":")]
    public void AnythingButAnObjectIsNotAZulipAnswer(string body) => Assert.Null(Parse(body));

    [Fact]
    public void HugeNumbersStayTextAndReadAsAbsent()
    {
        var json = Parse("{\"user_id\":1" + new string('0', 400) + ",\"f\":1e99999}");

        Assert.NotNull(json);
        Assert.Null(json!.GetInt("user_id"));
        Assert.IsType<JsonNumber>(json["f"]);
    }

    [Fact]
    public void MembersOfEveryTypeStillRead()
    {
        var json = Parse("""{"s":"x","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"openid connect":true,"e":{}},"a":[1,"b",[],{}]}""")!;

        Assert.Equal("x", json.GetString("s"));
        Assert.Equal(-1500, json.GetDouble("n"));
        Assert.True(json.GetBool("t"));
        Assert.False(json.GetBool("f"));
        Assert.True(json.ContainsKey("z") && json["z"] == null);
        Assert.True(json.GetObject("o")!.GetBool("openid connect"));
        Assert.Empty(json.GetObject("o")!.GetObject("e")!);
        var a = json.GetArray("a")!;
        Assert.Equal(4, a.Count);
        Assert.Equal("1", a[0]!.ToString());
        Assert.Equal("b", a[1]);
        Assert.Empty(Assert.IsType<List<object?>>(a[2]));
        Assert.Empty(Assert.IsType<JsonObject>(a[3]));
    }
}
