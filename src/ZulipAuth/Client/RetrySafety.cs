namespace ZulipAuth.Client
{
    /// <summary>
    /// When a request may be sent again after a failure. A request that might already have reached the server
    /// must not be repeated when repeating it has a cost: Zulip counts every password attempt, and a key
    /// rotation that ran twice leaves the caller with a key that no longer works.
    /// </summary>
    internal enum RetrySafety
    {
        /// <summary>Sending it twice changes nothing (a GET without side effects): every transient failure is retried.</summary>
        Idempotent,

        /// <summary>
        /// Retried when it certainly never left this machine (connection refused, name not resolved, TLS handshake
        /// failed), or when the server answered in full that it did not process it (429, 502, 503, 504).
        /// A password login.
        /// </summary>
        WhenNotProcessed,

        /// <summary>
        /// Retried only when it certainly never left this machine, or when Zulip's own rate limiter refused it (a
        /// complete 429 with code RATE_LIMIT_HIT, answered before the view runs); any other answer ends it, since a
        /// 502, 503 or 504 may come after the server acted. A key rotation.
        /// </summary>
        WhenCertainlyNotSent,
    }
}
