using System.Diagnostics;
using System.Globalization;

namespace ZulipAuth.Benchmarks;

/// <summary>A set of measurements of one thing, in one unit, summarised by order statistics (medians resist the
/// spikes that other work on a shared machine puts into a few samples).</summary>
public sealed class Sample
{
    private readonly double[] sorted;

    public Sample(string unit, IEnumerable<double> values)
    {
        Unit = unit;
        sorted = values.Order().ToArray();
    }

    public string Unit { get; }

    public int Count => sorted.Length;

    public double Median => Percentile(50);

    public double P10 => Percentile(10);

    public double P90 => Percentile(90);

    public double Mean => sorted.Length == 0 ? double.NaN : sorted.Average();

    /// <summary>Linear interpolation between the closest ranks; NaN when there is no measurement.</summary>
    public double Percentile(double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    public static Sample Microseconds(IEnumerable<long> stopwatchTicks) =>
        new("µs", stopwatchTicks.Select(t => t * 1_000_000.0 / Stopwatch.Frequency));

    public static Sample Milliseconds(IEnumerable<double> milliseconds) => new("ms", milliseconds);

    public string Format(double value) => value.ToString(Unit switch { "µs" => "0", "x" => "0.00", _ => "0.0" }, CultureInfo.InvariantCulture);

    public override string ToString() =>
        Count == 0 ? "no data" : $"{Format(Median)} {Unit} (p10 {Format(P10)}, p90 {Format(P90)}, n={Count})";
}
