using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The one reading of a server's wait (the <c>Retry-After</c> header, or <c>retry-after</c> in a Zulip JSON
    /// body). What is not a usable wait (NaN, negative, text) counts as no wait given; an absurd one (1e309,
    /// Infinity) is capped, at a value longer than <see cref="RetryPolicy.LongestWait"/>, so it is reported
    /// rather than slept through and can never overflow a TimeSpan.
    /// </summary>
    internal static class RetryAfter
    {
        /// <summary>The cap: far beyond any wait that is slept through, far inside TimeSpan's range.</summary>
        public static readonly TimeSpan Cap = TimeSpan.FromDays(365);

        // .NET Framework reports 1e309 as unparseable rather than as Infinity; it is still a number, and a huge one.
        private static readonly Regex Overflowing = new Regex(@"^\s*\+?(\d+\.?\d*|\.\d+)[eE]\+?\d+\s*$", RegexOptions.CultureInvariant);

        /// <summary>A wait in seconds as a TimeSpan, or null when it is not a wait.</summary>
        public static TimeSpan? FromSeconds(double seconds)
        {
            if (double.IsNaN(seconds) || seconds < 0)
            {
                return null;
            }

            return seconds >= Cap.TotalSeconds ? Cap : TimeSpan.FromSeconds(seconds);
        }

        /// <summary>The header's value: seconds (Zulip sends fractions, "0.5", which the typed parser rejects) or an HTTP date.</summary>
        public static TimeSpan? FromHeader(string? text, DateTimeOffset now)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return FromSeconds(seconds);
            }

            if (Overflowing.IsMatch(text))
            {
                return Cap;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - now;
                return wait > TimeSpan.Zero ? (wait > Cap ? Cap : wait) : TimeSpan.Zero;
            }

            return null;
        }
    }
}
