using Xunit;
using System.Diagnostics;
using System.Text;
using CsCheck;
using ZulipAuth.Client;

namespace ZulipAuth.Tests.Properties;

/// <summary>
/// The zuliprc parser on any text: sections, or the parser's own refusal (FormatException with a line number,
/// which Import-ZulipRc turns into ZulipConfigInvalid) or a Zulip error; never another exception, never slow.
/// </summary>
[Collection(PropertyCollection.Name)]
public class ZulipRcProperties
{
    private static readonly string[] Lines =
    [
        "[api]", "[DEFAULT]", "[api", "[]", "]", "key=abc", "email = a@example.com", "site: https://chat.example.com", "KEY=dup", "=", ":",
        "=value", "  continued", "\tcontinued", "#comment", ";comment", "", " ", "\uFEFF[api]", "key", "[api]]", "k=\u0000", "k=\u202e",
        "[\u202e]", "a=b=c", "x:y=z",
    ];

    private static readonly Gen<string> Files = Gen.Select(Gen.OneOf<string>(Lines).Array[0, 40], Gen.OneOf<string>("\n", "\r\n", "\r"),
        (lines, end) => string.Join(end, lines));

    private static void Holds(string text) => PropertyBounds.Timed("Parse", () =>
    {
        try
        {
            _ = ZulipRcFile.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ZulipApiException)
        {
            // The parser's refusal, shown to the user as ZulipConfigInvalid.
        }
    });

    [Fact]
    public void AnyLinesParseOrAreRefused() => Files.Sample(Holds, iter: PropertyBounds.Iterations);

    [Fact]
    public void AnyCharactersParseOrAreRefused() => Gen.String[0, 200].Select(s => "[api]\n" + s).Sample(Holds, iter: PropertyBounds.Iterations);

    /// <summary>A file at the 64 KiB cap made of continuation lines (the quadratic case) parses in time.</summary>
    [Fact]
    public void ContinuationLinesAtTheSizeCapParseQuickly()
    {
        var text = new StringBuilder("[api]\nkey=a\n");
        while (text.Length < 64 * 1024 - 4)
        {
            text.Append(" b\n");
        }

        var clock = Stopwatch.StartNew();
        _ = ZulipRcFile.Parse(text.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"64 KiB of continuation lines took {clock.Elapsed.TotalMilliseconds:0} ms");
    }
}
