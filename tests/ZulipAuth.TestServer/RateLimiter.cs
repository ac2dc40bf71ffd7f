namespace ZulipAuth.TestServer;

/// <summary>
/// Zulip's login rate limit ("authenticate_by_username"): per username string exactly as submitted (no case
/// folding), N attempts per window. Every attempt that reaches authentication is recorded, failed or not; a
/// blocked attempt is not recorded (Zulip only counts calls it lets through); a successful login clears the
/// history. While blocked, the wait is until the oldest of the last N attempts leaves the window.
/// </summary>
internal sealed class RateLimiter
{
    // Bound on distinct usernames kept, so a misbehaving client loop cannot grow memory without limit.
    private const int MaxTrackedUsernames = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _attempts = new(StringComparer.Ordinal);

    /// <summary>Records an attempt, or refuses it. Returns null when allowed, else the seconds to wait.</summary>
    public double? TryAttempt(string username, int maxAttempts, TimeSpan window, DateTimeOffset now)
    {
        if (maxAttempts <= 0)
            return null;

        lock (_gate)
        {
            if (!_attempts.TryGetValue(username, out var history))
            {
                if (_attempts.Count >= MaxTrackedUsernames)
                    _attempts.Clear();
                history = [];
                _attempts[username] = history;
            }

            history.RemoveAll(t => now - t >= window);

            if (history.Count >= maxAttempts)
            {
                // History is in time order; the oldest of the last N decides when one slot frees up.
                var oldestOfLastN = history[history.Count - maxAttempts];
                var wait = (oldestOfLastN + window - now).TotalSeconds;
                return Math.Max(wait, 0.001);
            }

            history.Add(now);
            return null;
        }
    }

    /// <summary>A successful login clears that username's history.</summary>
    public void Clear(string username)
    {
        lock (_gate) _attempts.Remove(username);
    }

    public void ClearAll()
    {
        lock (_gate) _attempts.Clear();
    }
}
