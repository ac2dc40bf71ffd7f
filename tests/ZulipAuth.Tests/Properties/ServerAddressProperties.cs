using Xunit;
using CsCheck;
using ZulipAuth.Client;

namespace ZulipAuth.Tests.Properties;

/// <summary>
/// -Server normalisation on any text: a root http(s) URL with no user info, or ZulipInvalidServer; never another
/// exception, never slow; a bidi, invisible or control character is refused, not silently dropped; and the
/// result normalises to itself.
/// </summary>
[Collection(PropertyCollection.Name)]
public class ServerAddressProperties
{
    private static readonly string[] Parts =
    [
        "https://", "http://", "ws://", "file://", "javascript:", "HTTPS://", "//", "chat", ".", "example", "com", "127.0.0.1", "localhost",
        "[", "]", "::1", "fe80::1", "%25", "eth0", ":", "9991", "65536", "0", "@", "user", "/", "api", "/api/v1", "?", "#", "\\", " ",
        "\u202e", "\u200b", "\ufeff", "\u2066", "\u061c", "\u0000", "\u0007", "\u001b", "\u0085", "\t", "\r\n", "xn--", "\u00fc", "\u0430",
        "%", "%00", "..", "-", "_", "*",
    ];

    private static readonly Gen<string> Inputs = Gen.OneOf(
        Gen.OneOf<string>(Parts).Array[0, 12].Select(string.Concat),
        Gen.String[0, 40]);

    [Fact]
    public void AnyInputIsARootHttpUrlOrZulipInvalidServer() => Inputs.Sample(input =>
    {
        PropertyBounds.Timed("Normalize", () =>
        {
            Uri uri;
            try
            {
                uri = ServerAddress.Normalize(input);
            }
            catch (ZulipApiException e)
            {
                Assert.Equal(ZulipErrorId.InvalidServer, e.ErrorId);
                return;
            }

            Assert.True(uri.Scheme is "http" or "https", uri.Scheme);
            Assert.Equal(string.Empty, uri.UserInfo);
            Assert.Equal("/", uri.AbsolutePath);
            Assert.Equal(uri, ServerAddress.Normalize(uri.AbsoluteUri));
            Assert.False(input.Trim().Any(PropertyBounds.IsForbidden), $"a control, bidi or invisible character in '{Escape(input)}' was dropped, not refused");
        });
    }, iter: PropertyBounds.Iterations);

    private static string Escape(string s) => string.Concat(s.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:x4}" : c.ToString()));
}
