namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// One runspace for a whole table of scenarios: every scenario then also proves that the one before it left
/// the runspace usable (and each ends by fetching a key from a good server in it).
/// </summary>
public sealed class HostileSessionFixture : IDisposable
{
    public PsSession Session { get; } = new();

    public void Dispose() => Session.Dispose();
}
