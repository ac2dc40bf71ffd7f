using Xunit;
using System.Diagnostics;

namespace ZulipAuth.Tests.Properties;

/// <summary>How much each property runs, and how long one input may take.</summary>
internal static class PropertyBounds
{
    /// <summary>Generous for a 2-core machine shared with other test runs; a hang or a quadratic blow-up is far beyond it.</summary>
    public static readonly TimeSpan PerInput = TimeSpan.FromMilliseconds(500);

    public const int Iterations = 4000;

    /// <summary>Runs <paramref name="action"/> and fails when it took longer than <see cref="PerInput"/>.</summary>
    public static void Timed(string what, Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        Assert.True(clock.Elapsed < PerInput, $"{what} took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>The characters the shared decisions treat as controls, bidi or invisible.</summary>
    public static bool IsForbidden(char c) =>
        c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2060 && c <= 0x2069) || c == 0x061C || c == 0xFEFF;
}
