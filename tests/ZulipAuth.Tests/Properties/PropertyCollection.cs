using Xunit;

namespace ZulipAuth.Tests.Properties;

/// <summary>
/// The property tests sample on every core at once; run beside the rest they starve the thread pool, and a test that
/// times a 1 s deadline (a timer callback on that pool) saw 3 s. So they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PropertyCollection
{
    public const string Name = "CPU-bound properties";
}
