using ZulipAuth.Benchmarks;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The performance benchmark (docs/performance.md) is not part of the test run: timings on a shared machine
/// are noise. Its smoke mode is: every stage runs a few times and must produce figures, so the documented
/// command keeps working. No figure is compared with a target here.
/// </summary>
public class BenchmarkSmokeTests
{
    [Fact]
    public async Task EveryStageRunsAndProducesFigures()
    {
        using var log = new StringWriter();

        var result = await Benchmark.RunAsync(BenchmarkOptions.Smoke with { ModulePath = PsSession.ModulePath }, log);

        foreach (var (name, sample) in result.Samples)
        {
            Assert.True(sample.Count > 0, $"{name} has no measurement.");
            Assert.True(double.IsFinite(sample.Median) && sample.Median > 0, $"{name}: {sample}");
        }

        Assert.All(result.BytesPerCall, b => Assert.True(b.Value > 0, $"{b.Key} allocated nothing."));
        Assert.Equal(BenchmarkOptions.Smoke.SoakCalls, result.Soak.Calls);
        Assert.Equal(BenchmarkOptions.Smoke.SoakChunks, result.Soak.HeapAfterChunks.Count);
        Assert.True(result.Soak.Start.HeapBytes > 0 && result.Soak.End.HeapBytes > 0);
        Assert.True(result.Soak.PoolStart >= 1, "The module's HttpClient pool was not read.");

        var table = Report.Render(result);
        Assert.DoesNotContain("no data", table, StringComparison.Ordinal);
        Assert.Contains("| warm: Get-ZulipApiKey, one command per call", table, StringComparison.Ordinal);
        Assert.Equal(Report.Timings(result).Count + Report.Memory(result).Count, table.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal)) - 2);
    }
}
