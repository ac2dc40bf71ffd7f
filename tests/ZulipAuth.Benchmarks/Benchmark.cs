using System.Diagnostics;
using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.Benchmarks;

/// <summary>Everything one run measured.</summary>
public sealed class BenchmarkResult
{
    /// <summary>Per-call times of the warm kinds (see <see cref="WarmKind"/>), measured side by side.</summary>
    public required IReadOnlyDictionary<WarmKind, Sample> Warm { get; init; }

    /// <summary>Bytes allocated in the whole process (the in-process server included) per call, by kind.</summary>
    public required IReadOnlyDictionary<WarmKind, double> BytesPerCall { get; init; }

    /// <summary>Per kind, the median of each round, in round order (for ratios paired within a round).</summary>
    public required IReadOnlyDictionary<WarmKind, IReadOnlyList<double>> RoundMedians { get; init; }

    public Sample Floor => Warm[WarmKind.Floor];

    /// <summary>Round by round, the kind's median over the floor's median in the same round.</summary>
    public Sample PairedRatio(WarmKind kind) =>
        new("x", RoundMedians[kind].Zip(RoundMedians[WarmKind.Floor], (k, f) => k / f));

    public required Sample Import { get; init; }

    public required Sample ImportEmptyModule { get; init; }

    public required Sample ImportAssemblyAlone { get; init; }

    public required Sample ColdOpen { get; init; }

    public required Sample ColdImport { get; init; }

    public required Sample ColdEmptyImport { get; init; }

    public required Sample ColdAssemblyImport { get; init; }

    public required Sample ColdFirstCall { get; init; }

    public required Sample ColdTotal { get; init; }

    public required Sample ColdProcess { get; init; }

    public required Sample FloorColdFirstCall { get; init; }

    public required SoakResult Soak { get; init; }

    public required bool ModuleIsOptimized { get; init; }

    /// <summary>Every figure the stages are meant to produce, by name, for the smoke test.</summary>
    public IEnumerable<(string Name, Sample Sample)> Samples =>
    [
        .. Warm.Select(w => (w.Key.ToString(), w.Value)),
        (nameof(Import), Import), (nameof(ImportEmptyModule), ImportEmptyModule),
        (nameof(ImportAssemblyAlone), ImportAssemblyAlone), (nameof(ColdOpen), ColdOpen), (nameof(ColdImport), ColdImport),
        (nameof(ColdEmptyImport), ColdEmptyImport), (nameof(ColdAssemblyImport), ColdAssemblyImport), (nameof(ColdFirstCall), ColdFirstCall),
        (nameof(ColdTotal), ColdTotal), (nameof(ColdProcess), ColdProcess), (nameof(FloorColdFirstCall), FloorColdFirstCall),
    ];
}

/// <summary>The kinds of warm call, measured in turns.</summary>
public enum WarmKind
{
    /// <summary>The raw HttpClient, no PowerShell.</summary>
    Floor,

    /// <summary><see cref="FloorLoginCommand"/>, one command per call in a ForEach-Object.</summary>
    EngineFloorPerCommand,

    /// <summary>Get-ZulipApiKey, one command per call in a ForEach-Object.</summary>
    ModulePerCommand,

    /// <summary>Credentials piped into one <see cref="FloorLoginCommand"/>.</summary>
    EngineFloorPiped,

    /// <summary>Credentials piped into one Get-ZulipApiKey.</summary>
    ModulePiped,
}

/// <summary>The process before and after the soak's calls, and the managed heap after each chunk of them.</summary>
public sealed record SoakResult(int Calls, ProcessSnapshot Start, ProcessSnapshot End, IReadOnlyList<long> HeapAfterChunks, int PoolStart, int PoolEnd)
{
    /// <summary>The least-squares slope of the heap over the chunks (start included), in bytes per call.</summary>
    public double HeapSlopeBytesPerCall
    {
        get
        {
            var points = new[] { Start.HeapBytes }.Concat(HeapAfterChunks).ToArray();
            var perChunk = (double)Calls / HeapAfterChunks.Count;
            var xs = Enumerable.Range(0, points.Length).Select(i => i * perChunk).ToArray();
            double mx = xs.Average(), my = points.Average();
            var num = xs.Zip(points, (x, y) => (x - mx) * (y - my)).Sum();
            var den = xs.Sum(x => (x - mx) * (x - mx));
            return den == 0 ? double.NaN : num / den;
        }
    }
}

/// <summary>
/// The stages of docs/performance.md against one local test server over loopback HTTPS with keep-alive:
/// floor and warm calls side by side, import into fresh runspaces, a 10,000-call soak, cold fresh processes.
/// </summary>
public static class Benchmark
{
    public static async Task<BenchmarkResult> RunAsync(BenchmarkOptions options, TextWriter log)
    {
        if (!File.Exists(Path.Combine(options.ModulePath, "ZulipAuth.psd1")))
        {
            throw new FileNotFoundException($"No built module at {options.ModulePath}: build the solution first.");
        }

        // A successful login clears the user's rate-limit history, so the default limit would never trip here;
        // off, so that one failed call cannot turn every later one into a 429 and the figures into those of errors.
        await using var server = await ZulipTestServer.StartAsync(new ServerBehaviour { RateLimitAttempts = 0 });
        var url = server.HttpsUrl;
        var credential = HostedModule.Credential(TestUsers.Iago.Email, TestUsers.Iago.Password);
        var emptyModule = EmptyModule.Create();
        try
        {
            using var floor = new FloorClient(url);
            using var module = HostedModule.Start(options.ModulePath);
            var optimized = module.Evaluate("[ZulipAuth.ZulipApiKey].Assembly.GetCustomAttributes([System.Diagnostics.DebuggableAttribute], $false) | ForEach-Object { $_.IsJITOptimizerDisabled }") is not true;
            if (!optimized && !options.IsSmoke)
            {
                log.WriteLine("warning: out/ZulipAuth holds a Debug build of the module; run with -c Release for figures worth keeping.");
            }

            var kinds = new Dictionary<WarmKind, Func<int, long[]>>
            {
                [WarmKind.Floor] = count => TimeFloor(floor, count),
                [WarmKind.EngineFloorPerCommand] = count => module.TimePerCommand(url, credential, count, FloorLoginCommand.Name),
                [WarmKind.ModulePerCommand] = count => module.TimePerCommand(url, credential, count),
                [WarmKind.EngineFloorPiped] = count => module.TimePiped(url, credential, count, FloorLoginCommand.Name),
                [WarmKind.ModulePiped] = count => module.TimePiped(url, credential, count),
            };

            WarmUp(kinds.Values, options, log);
            var jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();

            var times = kinds.Keys.ToDictionary(k => k, _ => new List<long>());
            var bytes = kinds.Keys.ToDictionary(k => k, _ => 0L);
            var roundMedians = kinds.Keys.ToDictionary(k => k, _ => new List<double>());
            log.WriteLine($"{options.Rounds} rounds of {options.CallsPerRound} calls of each kind, in turn");
            for (var i = 0; i < options.Rounds; i++)
            {
                foreach (var (kind, run) in kinds)
                {
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    var round = run(options.CallsPerRound);
                    times[kind].AddRange(round);
                    roundMedians[kind].Add(Sample.Microseconds(round).Median);
                    bytes[kind] += GC.GetTotalAllocatedBytes(precise: true) - before;
                }

                server.ClearRequests();
            }

            log.WriteLine($"methods JIT-compiled during the measured rounds: {System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore} (compilations {jitBefore} to {System.Runtime.JitInfo.GetCompiledMethodCount()} of the process)");
            // The assembly alone (no manifest, no format file) and a manifest-only module split the cost of an import
            // between the engine's handling of a manifest and a format file, and the module's own assembly.
            var assemblyAlone = Path.Combine(options.ModulePath, "ZulipAuth.dll");
            log.WriteLine($"import: {options.Imports} fresh runspaces each for ZulipAuth, its assembly alone and an empty manifest module");
            var imports = TimeImports([options.ModulePath, assemblyAlone, emptyModule], options.Imports);

            log.WriteLine($"soak: {options.SoakCalls} calls in {options.SoakChunks} chunks");
            var soak = Soak(server, module, url, credential, options);

            log.WriteLine($"cold: {options.ColdProcesses} fresh processes each for ZulipAuth, its assembly alone, an empty module and the raw HttpClient");
            var cold = new List<ColdFigures>();
            var coldEmpty = new List<ColdFigures>();
            var coldAssembly = new List<ColdFigures>();
            var coldFloor = new List<ColdFigures>();
            for (var i = 0; i < options.ColdProcesses; i++)
            {
                cold.Add(ColdStart.Measure(ColdStart.Kind.Module, url, options.ModulePath));
                coldAssembly.Add(ColdStart.Measure(ColdStart.Kind.ImportOnly, url, assemblyAlone));
                coldEmpty.Add(ColdStart.Measure(ColdStart.Kind.ImportOnly, url, emptyModule));
                coldFloor.Add(ColdStart.Measure(ColdStart.Kind.Floor, url, options.ModulePath));
            }

            return new BenchmarkResult
            {
                Warm = times.ToDictionary(t => t.Key, t => Sample.Microseconds(t.Value)),
                RoundMedians = roundMedians.ToDictionary(r => r.Key, r => (IReadOnlyList<double>)r.Value),
                BytesPerCall = bytes.ToDictionary(b => b.Key, b => (double)b.Value / (options.Rounds * options.CallsPerRound)),
                Import = Sample.Milliseconds(imports[0]),
                ImportAssemblyAlone = Sample.Milliseconds(imports[1]),
                ImportEmptyModule = Sample.Milliseconds(imports[2]),
                ColdOpen = Sample.Milliseconds(cold.Select(c => c.OpenMs)),
                ColdImport = Sample.Milliseconds(cold.Select(c => c.ImportMs)),
                ColdEmptyImport = Sample.Milliseconds(coldEmpty.Select(c => c.ImportMs)),
                ColdAssemblyImport = Sample.Milliseconds(coldAssembly.Select(c => c.ImportMs)),
                ColdFirstCall = Sample.Milliseconds(cold.Select(c => c.FirstCallMs)),
                ColdTotal = Sample.Milliseconds(cold.Select(c => c.TotalMs)),
                ColdProcess = Sample.Milliseconds(cold.Select(c => c.ProcessMs)),
                FloorColdFirstCall = Sample.Milliseconds(coldFloor.Select(c => c.FirstCallMs)),
                Soak = soak,
                ModuleIsOptimized = optimized,
            };
        }
        finally
        {
            EmptyModule.Delete(emptyModule);
        }
    }

    /// <summary>Passes over every kind until the JIT has settled (see <see cref="BenchmarkOptions.JitQuietMethods"/>).</summary>
    private static void WarmUp(IEnumerable<Func<int, long[]>> kinds, BenchmarkOptions options, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var quietPasses = 0;
        for (var pass = 1; ; pass++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (var kind in kinds)
            {
                kind(options.WarmupCalls);
            }

            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            quietPasses = compiled <= options.JitQuietMethods ? quietPasses + 1 : 0;
            log.WriteLine($"warm-up pass {pass}: {options.WarmupCalls} calls of each kind, {compiled} methods JIT-compiled, {clock.Elapsed.TotalSeconds:0} s so far");
            if (quietPasses >= 2 || clock.Elapsed >= options.WarmupLimit)
            {
                if (quietPasses < 2 && !options.IsSmoke)
                {
                    log.WriteLine("warning: the JIT was still busy when the warm-up time ran out; the warm figures include some of its work.");
                }

                return;
            }
        }
    }

    private static long[] TimeFloor(FloorClient floor, int count)
    {
        var times = new long[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            floor.FetchApiKey(TestUsers.Iago.Email, TestUsers.Iago.Password);
            times[i] = Stopwatch.GetTimestamp() - start;
        }

        return times;
    }

    /// <summary>Import-Module alone (the runspace is opened and primed first, untimed), the paths in turn.</summary>
    private static List<double>[] TimeImports(string[] paths, int count)
    {
        var times = paths.Select(_ => new List<double>()).ToArray();
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < paths.Length; p++)
            {
                using var runspace = HostedModule.OpenRunspace();
                times[p].Add(HostedModule.Import(runspace, paths[p]) * 1000.0 / Stopwatch.Frequency);
            }
        }

        return times;
    }

    /// <summary>
    /// The bulk-job loop, chunk by chunk, with the heap measured after a full collection before and after each.
    /// The in-process server keeps a record of every request it received; that record is emptied before each
    /// measurement so that only the client side is weighed.
    /// </summary>
    private static SoakResult Soak(ZulipTestServer server, HostedModule module, string url, PSCredential credential, BenchmarkOptions options)
    {
        const string poolCount = "[ZulipAuth.ZulipApiKey].Assembly.GetType('ZulipAuth.Client.HttpClientPool').GetProperty('Count').GetValue($null)";
        server.ClearRequests();
        var poolStart = Convert.ToInt32(module.Evaluate(poolCount), System.Globalization.CultureInfo.InvariantCulture);
        var start = ProcessSnapshot.Take(server.HttpsPort);
        var heaps = new List<long>();
        var chunk = options.SoakCalls / options.SoakChunks;
        for (var i = 0; i < options.SoakChunks; i++)
        {
            module.RunCommands(url, credential, chunk);
            server.ClearRequests();
            heaps.Add(ProcessProbe.HeapAfterFullCollection());
        }

        var poolEnd = Convert.ToInt32(module.Evaluate(poolCount), System.Globalization.CultureInfo.InvariantCulture);
        var end = ProcessSnapshot.Take(server.HttpsPort);
        var calls = chunk * options.SoakChunks;
        return new SoakResult(calls, start, end, heaps, poolStart, poolEnd);
    }
}

/// <summary>A manifest-only module in a temporary folder: what Import-Module costs with nothing to load.</summary>
internal static class EmptyModule
{
    public static string Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"zulipauth-bench-{Environment.ProcessId}-{Guid.NewGuid():N}", "EmptyManifest");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "EmptyManifest.psd1"), """
            @{
                ModuleVersion     = '1.0.0'
                GUID              = '0d6f3a55-0b8e-4c57-9d1e-4f7f3c1b2a90'
                FunctionsToExport = @()
                CmdletsToExport   = @()
                VariablesToExport = @()
                AliasesToExport   = @()
            }
            """);
        return folder;
    }

    public static void Delete(string folder)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }
}
