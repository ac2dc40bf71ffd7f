using System.Text;
using System.Web;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>application/x-www-form-urlencoded bodies, with a secret encoded straight from a SecureString.</summary>
public class FormBodyTests
{
    public static TheoryData<string> Values => new()
    {
        "",
        "abcd1234",
        "ASCII with spaces and symbols !\"#$'()*,/:;<>?@[\\]^`{|}",
        "&=+%",
        "a&b=c+d%20e%",
        "-_.~",
        "ü€ßé",
        "パスワード",
        "😀",
        "p&=+% ü€😀;\"'\\",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 🏳️‍🌈 flags",
        "tab\tcr\rlf\nnul\0end",
        new string('x', 3000) + "€😀",
    };

    private static string Ascii(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    [Theory]
    [MemberData(nameof(Values))]
    public void AddSecretGivesTheSameBytesAsAdd(string value)
    {
        var plain = new FormBody().Add("username", "iago@zulip.com").Add("password", value).ToArrayAndClear();
        var secret = new FormBody().Add("username", "iago@zulip.com").AddSecret("password", TestSupport.Secure(value)).ToArrayAndClear();

        Assert.Equal(plain, secret);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void ValuesArePercentEncodedAsRfc3986UnreservedAndDecodeBack(string value)
    {
        var bytes = new FormBody().AddSecret("password", TestSupport.Secure(value)).ToArrayAndClear();

        // Uri.EscapeDataString encodes everything but the RFC 3986 unreserved set, as UTF-8 with upper-case hex.
        Assert.Equal("password=" + Uri.EscapeDataString(value), Ascii(bytes));
        Assert.Equal(value, HttpUtility.ParseQueryString(Ascii(bytes), Encoding.UTF8)["password"]);
    }

    [Fact]
    public void PairsAreJoinedWithAmpersands()
    {
        var bytes = new FormBody().Add("username", "iago+test@zulip.com").Add("password", "a&b=c").Add("note", "x y").ToArrayAndClear();

        Assert.Equal("username=iago%2Btest%40zulip.com&password=a%26b%3Dc&note=x%20y", Ascii(bytes));
        var form = HttpUtility.ParseQueryString(Ascii(bytes));
        Assert.Equal(new[] { "username", "password", "note" }, form.AllKeys);
        Assert.Equal("iago+test@zulip.com", form["username"]);
        Assert.Equal("a&b=c", form["password"]);
        Assert.Equal("x y", form["note"]);
    }

    [Theory]
    [InlineData("\uD83D")]
    [InlineData("a\uDE00b")]
    [InlineData("\uDE00\uD83D")]
    public void LoneSurrogatesBecomeTheReplacementCharacterBothWays(string value)
    {
        var plain = new FormBody().Add("p", value).ToArrayAndClear();
        var secret = new FormBody().AddSecret("p", TestSupport.Secure(value)).ToArrayAndClear();

        Assert.Equal(plain, secret);
        Assert.Equal(value.Replace('\uD83D', '\uFFFD').Replace('\uDE00', '\uFFFD'), HttpUtility.ParseQueryString(Ascii(secret), Encoding.UTF8)["p"]);
    }

    [Fact]
    public void ToArrayAndClearLeavesAnEmptyForm()
    {
        var form = new FormBody().Add("a", "1");

        Assert.Equal("a=1", Ascii(form.ToArrayAndClear()));
        Assert.Empty(form.ToArrayAndClear());
        Assert.Equal("b=2", Ascii(form.Add("b", "2").ToArrayAndClear()));
    }

    [Fact]
    public void ALongSecretAfterOtherFieldsEncodesWhole()
    {
        // Far past any initial buffer: the room is made before the secret is written, never while.
        var value = string.Concat(Enumerable.Repeat("€😀&", 2000));

        var bytes = new FormBody().Add("username", "iago@zulip.com").AddSecret("password", TestSupport.Secure(value)).Add("after", "x").ToArrayAndClear();

        Assert.Equal("username=iago%40zulip.com&password=" + Uri.EscapeDataString(value) + "&after=x", Ascii(bytes));
    }

    [Fact]
    public void TheRoomForASecretIsMadeBeforeItIsWritten()
    {
        // Every character takes the most room it can (4 UTF-8 bytes per surrogate pair, 3 per other non-ASCII).
        var value = string.Concat(Enumerable.Repeat("😀€", 700));
        var form = new FormBody().AddSecret("password", TestSupport.Secure(value));

        // Exactly what MakeRoom reserved: had the stream grown on its own while writing, it would hold more.
        Assert.Equal(2 + 9 * ("password".Length + value.Length), form.Capacity);
        Assert.Equal("password=" + Uri.EscapeDataString(value), Ascii(form.ToArrayAndClear()));
    }

    [Fact]
    public void TheSecureStringIsLeftIntact()
    {
        var secure = TestSupport.Secure("p&=+% ü€😀");

        new FormBody().AddSecret("password", secure).ToArrayAndClear();

        Assert.Equal("p&=+% ü€😀", TestSupport.Reveal(secure));
        Assert.True(secure.IsReadOnly());
    }
}
