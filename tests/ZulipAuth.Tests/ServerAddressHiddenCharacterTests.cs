using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>A -Server whose characters would be dropped or reinterpreted on the way to a host is refused, never normalised.</summary>
public class ServerAddressHiddenCharacterTests
{
    [Theory]
    [InlineData("https://chat.exa\u202Emple.com", "right-to-left override")]
    [InlineData("https://chat.exa\u202Dmple.com", "left-to-right override")]
    [InlineData("https://chat.exa\u200Emple.com", "left-to-right mark")]
    [InlineData("https://chat.exa\u2066mple.com\u2069", "isolate")]
    [InlineData("chat.exa\u061Cmple.com", "Arabic letter mark")]
    [InlineData("https://chat.exa\u200Bmple.com", "zero width space")]
    [InlineData("https://chat.exa\u200Dmple.com", "zero width joiner")]
    [InlineData("https://chat.exa\u2060mple.com", "word joiner")]
    [InlineData("https://chat.exa\uFEFFmple.com", "zero width no-break space")]
    [InlineData("https://chat.exa\u00ADmple.com", "soft hyphen")]
    [InlineData("https://chat.exa\u034Fmple.com", "combining grapheme joiner")]
    [InlineData("https://chat.exa\uFE0Fmple.com", "variation selector")]
    [InlineData("https://chat.exa\U000E0041mple.com", "tag character")]
    [InlineData("https://chat.exa\tmple.com", "tab")]
    [InlineData("https://chat.example.com\r\nHost: evil", "CR LF")]
    [InlineData("https://chat.exa\u001bmple.com", "ESC")]
    [InlineData("https://chat.exa\u0085mple.com", "C1 control")]
    [InlineData("https://chat.exa\u007Fmple.com", "DEL")]
    [InlineData("\u202Ehttps://chat.example.com", "override at the start")]
    public void HiddenCharactersAreRefused(string input, string what)
    {
        var e = Assert.Throws<ZulipApiException>(() => ServerAddress.Normalize(input));

        Assert.True(e.ErrorId == ZulipErrorId.InvalidServer, what);
        Assert.Contains("U+", e.Message, StringComparison.Ordinal);
        Assert.False(DisplayText.HasUnsafe(e.Message));
    }

    [Theory]
    [InlineData("https://[fe80::1%25eth0]")]
    [InlineData("https://[fe80::1%eth0]/")]
    [InlineData("http://[fe80::1%252]:9991")]
    public void IPv6ZoneIdsAreRefusedNotDropped(string input)
    {
        var e = Assert.Throws<ZulipApiException>(() => ServerAddress.Normalize(input));

        Assert.Equal(ZulipErrorId.InvalidServer, e.ErrorId);
        Assert.Contains("zone id", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  https://chat.example.com/ \r\n", "https://chat.example.com/")]
    [InlineData("http://[::1]:9991", "http://[::1]:9991/")]
    [InlineData("https://[fe80::1]", "https://[fe80::1]/")]
    [InlineData("b\u00fccher.example", "https://xn--bcher-kva.example/")]
    public void OrdinaryAddressesAreStillNormalised(string input, string expected) =>
        Assert.Equal(expected, ServerAddress.Normalize(input).AbsoluteUri);

    [Theory]
    [InlineData("\u00fc65536apichat-")]
    [InlineData("https://\u00fcber-.example.com")]
    public void AHostTheIdnMappingRefusesIsAnInvalidServer(string input)
    {
        // The parser accepts these; only reading the IDN form throws UriFormatException.
        var e = Assert.Throws<ZulipApiException>(() => ServerAddress.Normalize(input));

        Assert.Equal(ZulipErrorId.InvalidServer, e.ErrorId);
    }
}
