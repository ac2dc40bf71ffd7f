using System.Reflection;

namespace ZulipAuth.Benchmarks;

/// <summary>How much of each stage to run. <see cref="Full"/> is the documented measurement; <see cref="Smoke"/>
/// runs every stage a few times only, to prove the harness works (the figures mean nothing).</summary>
public sealed record BenchmarkOptions
{
    public bool IsSmoke { get; init; }

    /// <summary>Calls of each kind in one warm-up pass (the pooled connections, the settings cache, the JIT).</summary>
    public int WarmupCalls { get; init; } = 300;

    /// <summary>
    /// Warm-up passes go on until two in a row JIT-compile at most this many methods: the runtime's tiered
    /// compilation of the engine takes tens of seconds on a busy 2-core machine, and it runs on a thread of its
    /// own that competes with the calls being timed.
    /// </summary>
    public int JitQuietMethods { get; init; } = 10;

    public TimeSpan WarmupLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The kinds take turns, a short round each, so that load from elsewhere on the machine (which comes and goes
    /// over seconds) falls on all of them alike, and each round gives a paired comparison.
    /// </summary>
    public int Rounds { get; init; } = 20;

    public int CallsPerRound { get; init; } = 150;

    /// <summary>Fresh runspaces, each importing the module (and as many importing an empty manifest module).</summary>
    public int Imports { get; init; } = 40;

    public int SoakCalls { get; init; } = 10_000;

    public int SoakChunks { get; init; } = 10;

    /// <summary>Fresh processes of each kind (module, empty module, raw HttpClient) for the cold start.</summary>
    public int ColdProcesses { get; init; } = 8;

    public string ModulePath { get; init; } = BuiltModulePath;

    public static BenchmarkOptions Full => new();

    public static BenchmarkOptions Smoke => new()
    {
        IsSmoke = true,
        WarmupCalls = 3,
        WarmupLimit = TimeSpan.Zero,
        Rounds = 2,
        CallsPerRound = 5,
        Imports = 2,
        SoakCalls = 20,
        SoakChunks = 2,
        ColdProcesses = 1,
    };

    /// <summary>out/ZulipAuth as the build laid it out (ZulipAuthModuleDir in Directory.Build.props).</summary>
    public static string BuiltModulePath =>
        typeof(BenchmarkOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ZulipAuthModuleDir").Value!.TrimEnd('/', '\\');
}
