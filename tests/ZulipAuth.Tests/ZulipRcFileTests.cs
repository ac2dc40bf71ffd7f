using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>The zuliprc format: written as Zulip's web app writes it, read as Python's configparser reads it (the Parse expectations were checked against Python 3's configparser).</summary>
public class ZulipRcFileTests
{
    [Theory]
    [InlineData("https://chat.example.com/", "https://chat.example.com")]
    [InlineData("https://chat.example.com:8443/", "https://chat.example.com:8443")]
    [InlineData("http://localhost:9991/", "http://localhost:9991")]
    public void FormatIsTheWebAppsDownload(string site, string written)
    {
        var text = ZulipRcFile.Format("iago@zulip.com", TestSupport.IagoKey, new Uri(site));

        Assert.Equal($"[api]\nemail=iago@zulip.com\nkey={TestSupport.IagoKey}\nsite={written}\n", text);
    }

    [Fact]
    public void FormatThenParseRoundTrips()
    {
        var text = ZulipRcFile.Format("Jane.Doe+ops@Example.COM", "QxZ5mUu9v2bH0Mt3kPpRr7sLwYy1AaCc", new Uri("https://chat.example.com:8443/"));

        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal("Jane.Doe+ops@Example.COM", api["email"]);
        Assert.Equal("QxZ5mUu9v2bH0Mt3kPpRr7sLwYy1AaCc", api["key"]);
        Assert.Equal("https://chat.example.com:8443", api["site"]);
        Assert.Equal(3, api.Count);
    }

    [Fact]
    public void ParsesEqualsAndColonWithSurroundingWhitespace()
    {
        var text = "[api]\n  email = iago@zulip.com  \nkey:gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv\nsite :  https://chat.example.com\t\n";

        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal("iago@zulip.com", api["email"]);
        Assert.Equal(TestSupport.IagoKey, api["key"]);
        Assert.Equal("https://chat.example.com", api["site"]);
    }

    [Fact]
    public void TheFirstDelimiterSplitsSoUrlsAndEqualsSignsStayInTheValue()
    {
        var text = "[api]\nsite=https://chat.example.com:443\nkey = abc=def:ghi\ncert_bundle: C:\\certs\\ca.pem\n";

        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal("https://chat.example.com:443", api["site"]);
        Assert.Equal("abc=def:ghi", api["key"]);
        Assert.Equal("C:\\certs\\ca.pem", api["cert_bundle"]);
    }

    [Fact]
    public void CommentLinesAreSkippedButInlineSemicolonsAreKept()
    {
        var text = "# zuliprc for the bot\n; another comment\n[api]\n# email=old@zulip.com\nemail=iago@zulip.com\n    ; indented comment\nkey=abc ; not a comment\nsite=https://chat.example.com # neither\n";

        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal("iago@zulip.com", api["email"]);
        Assert.Equal("abc ; not a comment", api["key"]);
        Assert.Equal("https://chat.example.com # neither", api["site"]);
    }

    [Fact]
    public void KeysAreCaseInsensitiveAndSectionNamesAreNot()
    {
        var text = "[api]\nEMAIL=iago@zulip.com\nKey=abc\nSite=https://chat.example.com\n[API]\nemail=other@zulip.com\n";

        var sections = ZulipRcFile.Parse(text);

        Assert.Equal("iago@zulip.com", sections["api"]["email"]);
        Assert.Equal("abc", sections["api"]["key"]);
        Assert.Equal("https://chat.example.com", sections["api"]["site"]);
        Assert.Equal("other@zulip.com", sections["API"]["email"]);
    }

    [Fact]
    public void IndentedLinesContinueTheValue()
    {
        var text = "[api]\nemail=iago@zulip.com\nkey=first\n  second\n\tthird\nsite=https://chat.example.com\n";

        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal("first\nsecond\nthird", api["key"]);
        Assert.Equal("https://chat.example.com", api["site"]);
    }

    // Expected values checked against Python 3's configparser.
    [Theory]
    [InlineData("[api]\n  email = iago@zulip.com\n  key = abc\n  site = https://chat.example.com\n", "iago@zulip.com", "abc", "https://chat.example.com")]
    [InlineData("[api]\n  email = iago@zulip.com\n  key = first\n      second\n  site = https://chat.example.com\n", "iago@zulip.com", "first\nsecond", "https://chat.example.com")]
    [InlineData("[api]\n\temail=iago@zulip.com\n\t\tcontinued\nkey=abc\n", "iago@zulip.com\ncontinued", "abc", null)]
    public void KeysIndentedAlikeAreSeparateKeysAndOnlyDeeperLinesContinue(string text, string email, string key, string? site)
    {
        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal(email, api["email"]);
        Assert.Equal(key, api["key"]);
        Assert.Equal(site, api.TryGetValue("site", out var value) ? value : null);
    }

    [Fact]
    public void TheDefaultSectionFillsInMissingKeysOnly()
    {
        var text = "[DEFAULT]\nsite=https://default.example.com\ninsecure=false\n[api]\nemail=iago@zulip.com\nkey=abc\ninsecure=true\n";

        var api = ZulipRcFile.Parse(text)["api"];

        Assert.Equal("https://default.example.com", api["site"]);
        Assert.Equal("true", api["insecure"]);
        Assert.Equal("iago@zulip.com", api["email"]);
    }

    [Fact]
    public void WindowsLineEndingsAreAccepted()
    {
        var text = "[api]\r\nemail=iago@zulip.com\r\nkey=abc\r\nsite=https://chat.example.com\r\n";

        var sections = ZulipRcFile.Parse(text);

        Assert.Equal(new[] { "api" }, sections.Keys);
        Assert.Equal("abc", sections["api"]["key"]);
        Assert.Equal("https://chat.example.com", sections["api"]["site"]);
    }

    [Fact]
    public void ABomIsRefusedAsPythonRefusesIt()
    {
        // configparser sees U+FEFF before '[' and raises MissingSectionHeaderError, so no other client reads the file.
        var e = Assert.Throws<FormatException>(() => ZulipRcFile.Parse("\uFEFF[api]\r\nkey=abc\r\n"));

        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void OtherSectionsAndEmptyValuesAreKept()
    {
        var text = "[api]\nemail=iago@zulip.com\nkey=\nsite=https://chat.example.com\n\n[bot]\nname = Helper\n";

        var sections = ZulipRcFile.Parse(text);

        Assert.Equal(string.Empty, sections["api"]["key"]);
        Assert.Equal("Helper", sections["bot"]["name"]);
    }

    [Theory]
    [InlineData("[api]\nemail=iago@zulip.com\nkey=Secret-Key-1234567890\nkey=Other-Secret-0987654321\n", 4, "Other-Secret-0987654321")]
    [InlineData("[api]\nkey=Secret-Key-1234567890\nKEY = Other-Secret-0987654321\n", 3, "Other-Secret-0987654321")]
    [InlineData("[api]\nkey=Secret-Key-1234567890\n[api]\nkey=Other-Secret-0987654321\n", 3, "Other-Secret-0987654321")]
    [InlineData("key=Secret-Key-1234567890\n[api]\n", 1, "Secret-Key-1234567890")]
    [InlineData("[api]\nemail=iago@zulip.com\nSecret-Key-1234567890\n", 3, "Secret-Key-1234567890")]
    [InlineData("[api]\n=Secret-Key-1234567890\n", 2, "Secret-Key-1234567890")]
    [InlineData("# comment\n\n[api\nkey=Secret-Key-1234567890\n", 3, "[api")]
    public void MalformedFilesGiveALineNumberButNeverTheLine(string text, int line, string content)
    {
        var e = Assert.Throws<FormatException>(() => ZulipRcFile.Parse(text));

        Assert.Contains($"line {line}", e.Message);
        Assert.DoesNotContain(content, e.Message);
        Assert.DoesNotContain("Secret-Key-1234567890", e.Message);
    }

    [Theory]
    [InlineData("chat.example.com", "https://chat.example.com")]
    [InlineData("chat.example.com/", "https://chat.example.com")]
    [InlineData("https://chat.example.com/", "https://chat.example.com")]
    [InlineData("https://chat.example.com///", "https://chat.example.com")]
    [InlineData("http://chat.example.com", "http://chat.example.com")]
    [InlineData("HTTPS://Chat.Example.com", "HTTPS://Chat.Example.com")]
    [InlineData("localhost:9991", "http://localhost:9991")]
    [InlineData("localhost", "http://localhost")]
    [InlineData("https://localhost:9991/", "https://localhost:9991")]
    [InlineData("  chat.example.com:8443  ", "https://chat.example.com:8443")]
    public void NormalizeSiteIsThePythonBindingsRule(string site, string expected)
    {
        Assert.Equal(expected, ZulipRcFile.NormalizeSite(site));
    }

    [Fact]
    public void SiteTextDropsTheTrailingSlashAndAnyPath()
    {
        Assert.Equal("https://chat.example.com", ZulipRcFile.SiteText(new Uri("https://chat.example.com/")));
        Assert.Equal("http://localhost:9991", ZulipRcFile.SiteText(new Uri("http://localhost:9991/api/v1/")));
    }
}
