using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>A rate limit's wait as a person reads it, rounded up; the exact value stays in RetryAfter.</summary>
public class HumanDurationTests
{
    [Theory]
    [InlineData(0.2, "1 s")]
    [InlineData(5.962, "6 s")]
    [InlineData(90, "90 s")]
    [InlineData(91, "2 min")]
    [InlineData(1800, "30 min")]
    [InlineData(1799.5, "30 min")]
    [InlineData(5400, "90 min")]
    [InlineData(5401, "2 h")]
    [InlineData(86400 * 3, "3 days")]
    public void RoundsUpToTheUnitAPersonReads(double seconds, string expected)
    {
        Assert.Equal(expected, ZulipErrorMapper.HumanDuration(System.TimeSpan.FromSeconds(seconds)));
    }
}
