using ZulipAuth.Client;
using Xunit;

namespace ZulipAuth.Tests;

public class ServerAddressTests
{
    [Theory]
    [InlineData("chat.example.com", "https://chat.example.com/")]
    [InlineData("  https://chat.example.com/  ", "https://chat.example.com/")]
    [InlineData("https://chat.example.com/api", "https://chat.example.com/")]
    [InlineData("https://chat.example.com/api/v1", "https://chat.example.com/")]
    [InlineData("https://chat.example.com/api/v1/", "https://chat.example.com/")]
    [InlineData("https://Chat.Example.COM:8443", "https://chat.example.com:8443/")]
    [InlineData("http://localhost:9991", "http://localhost:9991/")]
    [InlineData("localhost:9991", "https://localhost:9991/")]
    [InlineData("https://chat.example.com/#narrow/stream/1-general", "https://chat.example.com/")]
    [InlineData("https://bücher.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://[::1]:9991", "https://[::1]:9991/")]
    [InlineData("https://chat.example.com:443/", "https://chat.example.com/")]
    public void Normalizes(string input, string expected)
    {
        Assert.Equal(expected, ServerAddress.Normalize(input).AbsoluteUri);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("iago@zulip.com")]
    [InlineData("https://iago:secret@chat.example.com")]
    [InlineData("zulip://chat.example.com")]
    [InlineData("ftp://chat.example.com")]
    [InlineData("https://")]
    [InlineData("https://chat.example.com/login/")]
    [InlineData("http://exa mple.com")]
    public void RefusesWithInvalidServer(string input)
    {
        var e = Assert.Throws<ZulipApiException>(() => ServerAddress.Normalize(input));
        Assert.Equal(ZulipErrorId.InvalidServer, e.ErrorId);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Theory]
    [InlineData("http://localhost:9991/", true)]
    [InlineData("http://127.0.0.1/", true)]
    [InlineData("http://127.1.2.3/", true)]
    [InlineData("http://[::1]/", true)]
    [InlineData("http://10.0.0.1/", false)]
    [InlineData("http://chat.example.com/", false)]
    [InlineData("http://localhost.example.com/", false)]
    public void KnowsLoopback(string server, bool loopback)
    {
        Assert.Equal(loopback, ServerAddress.IsLoopback(new Uri(server)));
        Assert.Equal(!loopback, ServerAddress.IsUnencryptedRemote(new Uri(server)));
    }

    [Fact]
    public void HttpsIsNeverUnencrypted()
    {
        Assert.False(ServerAddress.IsUnencryptedRemote(new Uri("https://chat.example.com/")));
    }
}
