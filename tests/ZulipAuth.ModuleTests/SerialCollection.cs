namespace ZulipAuth.ModuleTests;

/// <summary>
/// Tests that read or change process-wide state (the HttpClient pool's size, the default proxy, the allocation
/// counter) run here, alone, after the parallel ones, so no other test disturbs them or is disturbed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Process-wide state";
}
