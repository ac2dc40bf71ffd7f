using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>Replacing the key of a zuliprc's [api] section, and nothing else.</summary>
public class ZulipRcKeyUpdateTests
{
    private static readonly Uri Site = new("https://chat.example.com/");

    [Fact]
    public void OnlyTheApiKeyLineChanges()
    {
        var text = "; mine\r\n[zterm]\r\nkey=not-this-one\r\n[api]\r\nemail=Iago@Zulip.com\r\nkey : old\r\nsite=chat.example.com/\r\ninsecure=false\r\n[bot]\r\nkey=neither\r\n";

        var updated = ZulipRcKeyUpdate.ReplaceKey(text, "iago@zulip.com", Site, "NEW");

        Assert.Equal(text.Replace("key : old", "key :NEW", StringComparison.Ordinal), updated);
    }

    [Theory]
    [InlineData("[zterm]\ntheme=x\n", "no [api] section")]
    [InlineData("[api]\nemail=hamlet@zulip.com\nkey=old\nsite=https://chat.example.com\n", "another account")]
    [InlineData("[api]\nemail=iago@zulip.com\nkey=old\nsite=https://other.example.com\n", "another server")]
    [InlineData("[api]\nemail=iago@zulip.com\nsite=https://chat.example.com\n", "no key line")]
    public void AFileThatIsNotThisAccountsIsRefusedWithoutNamingTheKey(string text, string reason)
    {
        var failure = Assert.Throws<FormatException>(() => ZulipRcKeyUpdate.ReplaceKey(text, "iago@zulip.com", Site, "NEW"));

        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("old", failure.Message, StringComparison.Ordinal);
    }
}
