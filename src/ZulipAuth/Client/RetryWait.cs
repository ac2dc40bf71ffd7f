using System;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The countdown before a retry, without PowerShell: one progress report when the wait starts and one as
    /// each whole second passes. Every slice of waiting is a whole number of milliseconds, at least one, and a
    /// remainder under a millisecond is not waited for, so a timer that wakes a little early never turns the
    /// end of a wait into a loop of zero-length waits.
    /// </summary>
    internal sealed class RetryWait
    {
        private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

        private readonly Func<DateTime> now;
        private readonly Func<int, bool> waitMilliseconds;

        /// <param name="now">The clock.</param>
        /// <param name="waitMilliseconds">Waits that long; true when the wait was cancelled.</param>
        public RetryWait(Func<DateTime> now, Func<int, bool> waitMilliseconds)
        {
            this.now = now;
            this.waitMilliseconds = waitMilliseconds;
        }

        /// <summary>
        /// Waits <paramref name="delay"/>, calling <paramref name="report"/> with the whole seconds left (rounded up)
        /// and the fraction done. False when cancelled.
        /// </summary>
        public bool Run(TimeSpan delay, Action<int, double> report)
        {
            var end = now() + delay;
            var lastReported = -1;
            while (true)
            {
                var remaining = end - now();
                if (remaining < Millisecond)
                {
                    return true;
                }

                var seconds = (int)Math.Min(int.MaxValue, Math.Ceiling(remaining.TotalSeconds));
                if (seconds != lastReported)
                {
                    lastReported = seconds;
                    report(seconds, delay > TimeSpan.Zero ? Math.Min(1, Math.Max(0, 1 - (remaining.TotalSeconds / delay.TotalSeconds))) : 1);
                }

                // Up to the next whole second of the countdown; when that is under a millisecond away, the one after.
                var slice = remaining - TimeSpan.FromSeconds(seconds - 1);
                if (slice < Millisecond)
                {
                    slice += Second;
                }

                var milliseconds = (int)Math.Max(1, Math.Min(int.MaxValue, Math.Ceiling(slice.TotalMilliseconds)));
                if (waitMilliseconds(milliseconds))
                {
                    return false;
                }
            }
        }
    }
}
