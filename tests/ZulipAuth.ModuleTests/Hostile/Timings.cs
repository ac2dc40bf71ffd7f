using System.Collections.Concurrent;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>The slowest failure and the slowest success seen in this run, written to the test log for the figures in docs/security.md.</summary>
public static class Timings
{
    private static readonly ConcurrentDictionary<string, (TimeSpan Elapsed, bool Failed)> Seen = new();

    public static void Record(string name, TimeSpan elapsed, bool failed) => Seen[name] = (elapsed, failed);

    public static string Summary()
    {
        var failures = Seen.Where(s => s.Value.Failed).OrderByDescending(s => s.Value.Elapsed).FirstOrDefault();
        var successes = Seen.Where(s => !s.Value.Failed).OrderByDescending(s => s.Value.Elapsed).FirstOrDefault();
        return $"{Seen.Count} scenarios; slowest failure {failures.Value.Elapsed.TotalSeconds:0.00} s ({failures.Key}); slowest success {successes.Value.Elapsed.TotalSeconds:0.00} s ({successes.Key})";
    }
}
