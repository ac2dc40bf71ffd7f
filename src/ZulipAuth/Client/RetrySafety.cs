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

        /// <summary>Retried only when it certainly never left this machine; any answer, even a 429, ends it. A key rotation.</summary>
        WhenCertainlyNotSent,
    }
}
