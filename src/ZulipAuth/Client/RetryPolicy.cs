using System;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Decides whether a failed request is tried again and after how long. Only answers that say nothing
    /// about the credentials are retried (429, 502, 503, 504, connection failures): Zulip counts every password
    /// attempt, so retrying a 401 would only lock the user out. On top of that, the request's
    /// <see cref="RetrySafety"/> says whether a request that may already have reached the server is sent again.
    /// </summary>
    internal sealed class RetryPolicy
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
            if (!failure.IsTransient || retriesSoFar >= MaximumRetryCount || !MaySendAgain(failure))
            {
                return null;
            }

            var wait = WaitBefore(failure);
            return wait > LongestWait ? (TimeSpan?)null : wait;
        }

        /// <summary>
        /// Whether the request may be sent again at all, whatever the count: always when idempotent; for a
        /// password only when it certainly never left this machine or the server answered in full that it did not
        /// process it (429, 502, 503, 504); for a key rotation only when it certainly never left, or Zulip's rate limiter refused it in full.
        /// </summary>
        public static bool MaySendAgain(ZulipApiException failure)
        {
            switch (failure.RetrySafety)
            {
                case RetrySafety.Idempotent:
                    return true;
                case RetrySafety.WhenNotProcessed:
                    return failure.CertainlyNotSent || (failure.CompleteAnswer && IsRefusalBeforeProcessing(failure.StatusCode));
                default:
                    // Zulip's rate limiter answers before the view runs, so its complete 429 proves nothing changed.
                    return failure.CertainlyNotSent || (failure.CompleteAnswer && (int?)failure.StatusCode == 429 && failure.Code == "RATE_LIMIT_HIT");
            }
        }

        private static bool IsRefusalBeforeProcessing(System.Net.HttpStatusCode? status) =>
            status.HasValue && ((int)status.Value == 429 || (int)status.Value == 502 || (int)status.Value == 503 || (int)status.Value == 504);

        /// <summary>How long a retry of <paramref name="failure"/> has to wait: the server's Retry-After, but never less than the interval.</summary>
        public TimeSpan WaitBefore(ZulipApiException failure) =>
            failure.RetryAfter.HasValue && failure.RetryAfter.Value > Interval ? failure.RetryAfter.Value : Interval;
    }
}
