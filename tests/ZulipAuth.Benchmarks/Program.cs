using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;

namespace ZulipAuth.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/ZulipAuth.Benchmarks [-- --smoke] [--module PATH]</c>: prints the machine,
/// then the tables of docs/performance.md. Exit code 0 when every target is met (with --smoke: when every stage
/// produced figures), 1 when a target is missed, 2 on bad options or a stage that failed.
/// </summary>
public static class Program
{
    private const string Usage = """
        Usage: ZulipAuth.Benchmarks [--smoke] [--module PATH]
          --smoke        every stage a few times only: proves the harness runs; the figures mean nothing
          --module PATH  the module folder to import (default: out/ZulipAuth as the build laid it out)
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == ColdStart.ChildSwitch)
        {
            return RunChild(args);
        }

        var options = BenchmarkOptions.Full;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--smoke":
                    options = BenchmarkOptions.Smoke with { ModulePath = options.ModulePath };
                    break;
                case "--module" when i + 1 < args.Length:
                    options = options with { ModulePath = Path.GetFullPath(args[++i]) };
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        Console.WriteLine(Machine());
        BenchmarkResult result;
        try
        {
            result = await Benchmark.RunAsync(options, Console.Out);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException)
        {
            Console.Error.WriteLine("The benchmark failed: " + e.Message);
            return 2;
        }

        Console.WriteLine($"load average at the end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine(Report.Render(result));
        if (options.IsSmoke)
        {
            Console.WriteLine("smoke run: every stage ran; the figures of so few iterations mean nothing.");
            return 0;
        }

        var met = Report.TargetsMet(result);
        Console.WriteLine(met ? "Every target met." : "A target was missed (FAIL above).");
        return met ? 0 : 1;
    }

    /// <summary>What the figures were measured on: a shared 2-core machine's load is part of the story.</summary>
    public static string Machine()
    {
        // The product version ("7.6.9"), not the assembly version (7.6.0.500).
        var engine = System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(PSObject).Assembly.Location).ProductVersion?.Split(' ', '+')[0];
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Join(Environment.NewLine,
            $"machine: {Environment.ProcessorCount} logical cores, {memory.ToString("0.0", CultureInfo.InvariantCulture)} GiB, {RuntimeInformation.OSDescription}",
            $"runtime: {RuntimeInformation.FrameworkDescription}, PowerShell engine (System.Management.Automation) {engine}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC",
            $"load average at the start: {LoadAverage()}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int RunChild(string[] args)
    {
        if (args.Length != 6 || !Enum.TryParse<ColdStart.Kind>(args[1], out var kind) || args[2] != "--server" || args[4] != "--module")
        {
            Console.Error.WriteLine($"Usage: ZulipAuth.Benchmarks {ColdStart.ChildSwitch} Module|ImportOnly|Floor --server URL --module PATH");
            return 2;
        }

        return ColdStart.RunChild(kind, args[3], args[5], Console.Out);
    }
}
