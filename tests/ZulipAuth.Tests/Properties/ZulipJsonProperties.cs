using Xunit;
using System.Text;
using CsCheck;
using ZulipAuth.Client;

namespace ZulipAuth.Tests.Properties;

/// <summary>
/// The JSON reader meets any bytes a server can send: it returns an object or nothing (or a Zulip error), never
/// another exception, never slowly, and never accepts a document nested deeper than 64 levels. CsCheck prints
/// the seed of a failing input, which replays it exactly (Sample(..., seed: "...")).
/// </summary>
[Collection(PropertyCollection.Name)]
public class ZulipJsonProperties
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", ":", ",", " ", "\"a\"", "\"result\"", "\"success\"", "\"api_key\"", "1", "-1", "0.5", "1e309", "-1e-400",
        "99999999999999999999999", "true", "false", "null", "nul", "\\", "\\u0000", "\\ud800", "\\udc00", "\\u202e", "\\n", "\u00e9", "\u202e",
        "\ufeff", "\u0000", "{\"a\":", "[[[[", "]]]]", "\"\\", "tru", "1.", ".1", "+1", "0x10", "Infinity", "NaN",
    ];

    private static readonly Gen<byte[]> TokenDocuments = Gen.OneOf<string>(Tokens).Array[0, 80].Select(a => Encoding.UTF8.GetBytes(string.Concat(a)));

    private static readonly Gen<byte[]> ObjectPrefixed = Gen.Select(Gen.OneOf<string>(Tokens).Array[0, 60], Gen.Byte.Array[0, 8],
        (a, raw) => Encoding.UTF8.GetBytes("{\"result\":\"success\",\"x\":" + string.Concat(a)).Concat(raw).ToArray());

    private static void Holds(byte[] document)
    {
        PropertyBounds.Timed("TryParseObject", () =>
        {
            try
            {
                _ = ZulipJson.TryParseObject(document, document.Length);
            }
            catch (ZulipApiException)
            {
                // A Zulip error is an allowed outcome; anything else escapes to the cmdlet as a crash.
            }
        });
    }

    [Fact]
    public void TokenSoupNeverThrowsOrHangs() => TokenDocuments.Sample(Holds, iter: PropertyBounds.Iterations);

    [Fact]
    public void RawBytesNeverThrowOrHang() => Gen.Byte.Array[0, 300].Sample(Holds, iter: PropertyBounds.Iterations);

    [Fact]
    public void BrokenMembersAfterAGoodStartNeverThrowOrHang() => ObjectPrefixed.Sample(Holds, iter: PropertyBounds.Iterations);

    [Fact]
    public void AnyDepthUpTo64IsReadAndDeeperIsRefused()
    {
        var gen = Gen.Select(Gen.Int[1, 160], Gen.Bool.Array[160], (depth, kinds) => (depth, kinds));
        gen.Sample((depth, kinds) =>
        {
            var open = new StringBuilder();
            var close = new StringBuilder();
            for (var i = 0; i < depth - 1; i++)
            {
                open.Append(kinds[i] ? "{\"k\":" : "[");
                close.Insert(0, kinds[i] ? "}" : "]");
            }

            var document = Encoding.UTF8.GetBytes("{\"result\":\"success\",\"x\":" + open + "1" + close + "}");
            JsonObject? parsed = null;
            var refused = false;
            PropertyBounds.Timed("TryParseObject", () =>
            {
                try
                {
                    parsed = ZulipJson.TryParseObject(document, document.Length);
                    refused = parsed == null;
                }
                catch (ZulipApiException e)
                {
                    Assert.Equal(ZulipErrorId.UnexpectedResponse, e.ErrorId);
                    refused = true;
                }
            });

            // depth counts the root object: a document with depth levels of containers.
            if (depth <= 64)
            {
                Assert.False(refused, $"a document {depth} levels deep was refused");
            }
            else
            {
                Assert.True(refused, $"a document {depth} levels deep was read");
            }
        }, iter: 1000);
    }
}
