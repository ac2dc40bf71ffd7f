namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>One request as the hostile server read it off the socket (head and body, both capped).</summary>
public sealed record HostileRequest(string Method, string Target, string Scheme, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The path without the query.</summary>
    public string Path => Target.Split('?')[0];

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}
