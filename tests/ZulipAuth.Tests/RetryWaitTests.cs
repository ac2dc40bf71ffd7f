using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>The countdown before a retry, on a clock the test drives: about one report a second and never a zero-length wait.</summary>
public class RetryWaitTests
{
    /// <summary>A clock that moves only when waited on; <paramref name="early"/> is how much sooner than asked each wait returns, as a coarse timer may.</summary>
    private sealed class FakeTime(TimeSpan early)
    {
        public DateTime Now { get; private set; } = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public List<int> Waits { get; } = new();

        public bool Wait(int milliseconds)
        {
            Waits.Add(milliseconds);
            if (Waits.Count > 10_000)
            {
                throw new InvalidOperationException("the wait never ends");
            }

            var step = TimeSpan.FromMilliseconds(milliseconds) - early;
            Now += step > TimeSpan.Zero ? step : TimeSpan.Zero;
            return false;
        }
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(1.0005, 0.0)]
    [InlineData(2.4999, 0.0)]
    [InlineData(5.0, 0.6)]
    [InlineData(0.0004, 0.0)]
    [InlineData(3.7, 0.9)]
    public void AWaitReportsAboutOnceASecondAndNeverSpins(double seconds, double earlyMilliseconds)
    {
        var time = new FakeTime(TimeSpan.FromMilliseconds(earlyMilliseconds));
        var reports = new List<int>();

        var completed = new RetryWait(() => time.Now, time.Wait).Run(TimeSpan.FromSeconds(seconds), (left, _) => reports.Add(left));

        Assert.True(completed);
        Assert.DoesNotContain(0, time.Waits);
        // A remainder under a millisecond is not waited for, so the shortest wait may report nothing at all.
        Assert.InRange(reports.Count, seconds >= 0.001 ? 1 : 0, (int)Math.Ceiling(seconds) + 1);
        Assert.Equal(reports.Distinct().Count(), reports.Count);
        Assert.InRange(time.Waits.Count, 0, (2 * (int)Math.Ceiling(seconds)) + 4);
    }

    [Fact]
    public void ACancelledWaitStopsAtOnce()
    {
        var calls = 0;
        var completed = new RetryWait(() => DateTime.UtcNow, _ => ++calls > 0).Run(TimeSpan.FromSeconds(30), (_, _) => { });

        Assert.False(completed);
        Assert.Equal(1, calls);
    }
}
