using Xunit;
using System.Runtime.InteropServices;
using System.Security;
using ZulipAuth.Client.WebLogin;

namespace ZulipAuth.Tests;

/// <summary>The two web-login encodings against the worked examples of the server facts (computed with Python from Zulip's code).</summary>
public class WebLoginCryptoTests
{
    private const string ApiKey = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
    private const string Otp = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private const string EncryptedApiKey = "677b6303700f3f14f9c1e1daa0abb7b241296d561c06000dddd6e6c9b8bfb489";
    private const string DesktopToken = "abcdefghijklmnopqrstuvwxyzABCDEF";
    private const string EncryptedDesktopToken = "000102030405060708090a0b777ad652252faadea05104905cbb0b5f1f47d40a8e720ce74058008e67a66f71403fc885193895698fa76b434d3df407";

    private static byte[] OtpBytes => Hex.TryDecode(Otp)!;

    private static string Plain(SecureString secure)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try { return Marshal.PtrToStringUni(pointer, secure.Length); }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
    }

    [Fact]
    public void MobileFlowKeyDecryptsTheWorkedExample()
    {
        var key = MobileFlowKey.Decrypt(EncryptedApiKey, OtpBytes);
        Assert.NotNull(key);
        Assert.Equal(ApiKey, Plain(key!));
        Assert.True(key!.IsReadOnly());
    }

    [Fact]
    public void MobileFlowKeyAcceptsUppercaseHexAsZulipDoes()
    {
        Assert.Equal(ApiKey, Plain(MobileFlowKey.Decrypt(EncryptedApiKey.ToUpperInvariant(), OtpBytes)!));
    }

    [Fact]
    public void MobileFlowKeyEncryptMatchesZulipsOtpEncryptApiKey()
    {
        Assert.Equal(EncryptedApiKey, MobileFlowKey.Encrypt(ApiKey, OtpBytes));
    }

    [Theory]
    [InlineData("677b6303700f3f14f9c1e1daa0abb7b241296d561c06000dddd6e6c9b8bfb48")] // 63 digits
    [InlineData("677b6303700f3f14f9c1e1daa0abb7b241296d561c06000dddd6e6c9b8bfb4899")] // 65 digits
    [InlineData("g77b6303700f3f14f9c1e1daa0abb7b241296d561c06000dddd6e6c9b8bfb489")] // not hex
    public void MobileFlowKeyRefusesMalformedValues(string encrypted)
    {
        Assert.Null(MobileFlowKey.Decrypt(encrypted, OtpBytes));
    }

    [Fact]
    public void MobileFlowKeyWithAnotherOtpIsRefusedRatherThanReturningGarbage()
    {
        var other = (byte[])OtpBytes.Clone();
        other[0] ^= 0x80;
        Assert.Null(MobileFlowKey.Decrypt(EncryptedApiKey, other));
    }

    [Fact]
    public void DesktopTokenDecryptsTheTestVector()
    {
        var token = DesktopLoginToken.Decrypt(EncryptedDesktopToken, OtpBytes, out var failure);
        Assert.Equal(DesktopLoginToken.Failure.None, failure);
        Assert.Equal(DesktopToken, token);
        Assert.Equal(120, DesktopLoginToken.EncryptedHexLength);
    }

    [Fact]
    public void DesktopTokenTolerantOfTheWhitespaceACopyBrings()
    {
        Assert.Equal(DesktopToken, DesktopLoginToken.Decrypt("  " + EncryptedDesktopToken + "\r\n", OtpBytes, out _));
    }

    [Fact]
    public void DesktopTokenWithOneBitChangedFailsTheTag()
    {
        var tampered = EncryptedDesktopToken[..30] + (EncryptedDesktopToken[30] == '0' ? '1' : '0') + EncryptedDesktopToken[31..];
        Assert.Null(DesktopLoginToken.Decrypt(tampered, OtpBytes, out var failure));
        Assert.Equal(DesktopLoginToken.Failure.WrongKey, failure);
    }

    [Fact]
    public void DesktopTokenUnderAnotherKeyFailsTheTag()
    {
        var other = (byte[])OtpBytes.Clone();
        other[31] ^= 1;
        Assert.Null(DesktopLoginToken.Decrypt(EncryptedDesktopToken, other, out var failure));
        Assert.Equal(DesktopLoginToken.Failure.WrongKey, failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("000102030405060708090a0b777ad652")]
    [InlineData("zz0102030405060708090a0b777ad652252faadea05104905cbb0b5f1f47d40a8e720ce74058008e67a66f71403fc885193895698fa76b434d3df407")]
    public void DesktopTokenThatIsNot120HexDigitsIsMalformed(string pasted)
    {
        Assert.Null(DesktopLoginToken.Decrypt(pasted, OtpBytes, out var failure));
        Assert.Equal(DesktopLoginToken.Failure.Malformed, failure);
    }

    [Fact]
    public void RuntimeAesGcmIsFoundOnDotNet()
    {
        // PowerShell 7 takes this path; if reflection stopped finding the type the module would try bcrypt.dll on Linux.
        Assert.NotNull(AesGcmDecryptor.FindRuntimeAesGcm());
    }

    [Fact]
    public void OneTimeSecretsAre32FreshBytes()
    {
        var a = OneTimeSecret.NewBytes();
        var b = OneTimeSecret.NewBytes();
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
        Assert.Equal(64, Hex.Encode(a).Length);
        Assert.Matches("^[0-9a-f]{64}$", Hex.Encode(a));
    }
}
