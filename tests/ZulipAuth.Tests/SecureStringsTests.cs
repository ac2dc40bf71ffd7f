using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>The one-step SecureString copy that fetched keys and zuliprc keys go through.</summary>
public class SecureStringsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv")]
    [InlineData("p&=+% ü€😀;\"'\\")]
    public void HoldsTheValueAndIsReadOnly(string value)
    {
        var secure = SecureStrings.ReadOnlyCopy(value);

        Assert.Equal(value, TestSupport.Reveal(secure));
        Assert.Equal(value.Length, secure.Length);
        Assert.True(secure.IsReadOnly());
    }

    [Fact]
    public void EachCopyIsItsOwn()
    {
        var first = SecureStrings.ReadOnlyCopy("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");
        var second = SecureStrings.ReadOnlyCopy("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");

        first.Dispose();

        Assert.Equal("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv", TestSupport.Reveal(second));
    }
}
