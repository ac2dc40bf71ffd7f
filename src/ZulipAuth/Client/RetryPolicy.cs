using System;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Decides whether a failed request is tried again and after how long. Only answers that say nothing
    /// about the credentials are retried (429, 502, 503, 504, connection failures): Zulip counts every password
    /// attempt, so retrying a 401 would only lock the user out.
    /// </summary>
    public sealed class RetryPolicy
    {
        /// <summary>A wait longer than this is not slept through: the error is reported with the time to wait.</summary>
        public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(10);

        public RetryPolicy(int maximumRetryCount, TimeSpan interval)
        {
            MaximumRetryCount = Math.Max(0, maximumRetryCount);
            Interval = interval < TimeSpan.Zero ? TimeSpan.Zero : interval;
        }

        public int MaximumRetryCount { get; }

        public TimeSpan Interval { get; }

        /// <summary>
        /// How long to wait before retry number <paramref name="retriesSoFar"/> + 1, or null to give up and
        /// report <paramref name="failure"/>.
        /// </summary>
        public TimeSpan? NextDelay(ZulipApiException failure, int retriesSoFar)
        {
            if (!failure.IsTransient || retriesSoFar >= MaximumRetryCount)
            {
                return null;
            }

            var wait = WaitBefore(failure);
            return wait > LongestWait ? (TimeSpan?)null : wait;
        }

        /// <summary>How long a retry of <paramref name="failure"/> has to wait: the server's Retry-After, but never less than the interval.</summary>
        public TimeSpan WaitBefore(ZulipApiException failure) =>
            failure.RetryAfter.HasValue && failure.RetryAfter.Value > Interval ? failure.RetryAfter.Value : Interval;
    }
}
