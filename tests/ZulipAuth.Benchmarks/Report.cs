using System.Globalization;
using System.Text;

namespace ZulipAuth.Benchmarks;

/// <summary>One line of a table: a figure, and when it has a target, whether it met it and by how much.</summary>
public sealed record ReportRow(string Figure, string Value, string Spread, string Target, string Margin, string Verdict)
{
    /// <summary>For warm calls: the figure over the floor's, as medians, as p10s (the fast mode), and round by round.</summary>
    public string Ratios { get; init; } = string.Empty;

    public bool Failed => Verdict == "FAIL";
}

/// <summary>The targets of docs/performance.md applied to a result, as two Markdown tables (readable in a terminal too).</summary>
public static class Report
{
    public const double WarmToFloorLimit = 1.3;

    public const double ImportLimitMs = 20;

    /// <summary>
    /// The managed heap may move by a few hundred kilobytes between two full collections for reasons of its own
    /// (the engine's caches, the JIT's tiering); one leaked object per call over 10,000 calls would be far more.
    /// </summary>
    public const long HeapGrowthLimitBytes = 1024 * 1024;

    /// <summary>Working set moves with the GC's retained segments and the JIT; a leak of handlers or buffers would exceed this.</summary>
    public const long WorkingSetGrowthLimitBytes = 16 * 1024 * 1024;

    public static IReadOnlyList<ReportRow> Timings(BenchmarkResult r)
    {
        var limit = WarmToFloorLimit * r.Floor.Median;
        return
        [
            Info("floor: raw HttpClient POST + JSON, per call", r.Floor),
            Ratio("warm: Get-ZulipApiKey, one command per call (ForEach-Object)", r, WarmKind.ModulePerCommand, limit),
            Ratio("warm: credentials piped into one Get-ZulipApiKey, per credential", r, WarmKind.ModulePiped, limit),
            Relative("engine floor: minimal cmdlet around the raw call, one command per call", r, WarmKind.EngineFloorPerCommand),
            Relative("engine floor: credentials piped into the minimal cmdlet, per credential", r, WarmKind.EngineFloorPiped),
            AtMost("import: Import-Module ZulipAuth, fresh runspace", r.Import, ImportLimitMs),
            Info("import: ZulipAuth.dll alone (no manifest, no format file), fresh runspace", r.ImportAssemblyAlone),
            Info("import: an empty manifest module, fresh runspace", r.ImportEmptyModule),
            Info("import: Import-Module ZulipAuth, first in a fresh process", r.ColdImport),
            Info("import: ZulipAuth.dll alone, first in a fresh process", r.ColdAssemblyImport),
            Info("import: an empty manifest module, first in a fresh process", r.ColdEmptyImport),
            Info("cold: runspace open, fresh process", r.ColdOpen),
            Info("cold: first Get-ZulipApiKey (settings GET, TLS handshake, JIT)", r.ColdFirstCall),
            Info("cold: runspace + import + first call", r.ColdTotal),
            Info("cold: raw HttpClient first call, fresh process", r.FloorColdFirstCall),
            Info("cold: whole process, start to exit", r.ColdProcess),
        ];
    }

    public static IReadOnlyList<ReportRow> Memory(BenchmarkResult r)
    {
        var s = r.Soak;
        return
        [
            Allocated("allocated per call: floor (client + in-process server)", r, WarmKind.Floor, WarmKind.Floor),
            Allocated("allocated per call: engine floor, one command per call", r, WarmKind.EngineFloorPerCommand, WarmKind.Floor),
            Allocated("allocated per call: Get-ZulipApiKey, one command per call", r, WarmKind.ModulePerCommand, WarmKind.EngineFloorPerCommand),
            Allocated("allocated per call: engine floor, piped", r, WarmKind.EngineFloorPiped, WarmKind.Floor),
            Allocated("allocated per call: Get-ZulipApiKey, piped", r, WarmKind.ModulePiped, WarmKind.EngineFloorPiped),
            Growth($"managed heap after full GC, over {s.Calls:N0} calls", s.Start.HeapBytes, s.End.HeapBytes, HeapGrowthLimitBytes, Bytes,
                $"slope {s.HeapSlopeBytesPerCall.ToString("0.0", CultureInfo.InvariantCulture)} B/call"),
            Growth("working set", s.Start.WorkingSetBytes, s.End.WorkingSetBytes, WorkingSetGrowthLimitBytes, Bytes, string.Empty),
            Growth("open sockets (/proc/self/fd)", s.Start.Sockets, s.End.Sockets, 0, Count, string.Empty),
            Growth("TCP connections to the server port", s.Start.ConnectionsToServer, s.End.ConnectionsToServer, 0, Count, string.Empty),
            Growth("open file descriptors", s.Start.OpenFiles, s.End.OpenFiles, 0, Count, string.Empty),
            Growth("pooled HttpClients in the module", s.PoolStart, s.PoolEnd, 0, Count, string.Empty),
        ];
    }

    public static string Render(BenchmarkResult r)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | median | p10 - p90 (n) | x floor: median / p10 / per round (range) | target | margin | result |");
        text.AppendLine("|---|---:|---:|---|---|---|---|");
        foreach (var row in Timings(r))
        {
            text.AppendLine($"| {row.Figure} | {row.Value} | {row.Spread} | {row.Ratios} | {row.Target} | {row.Margin} | {row.Verdict} |");
        }

        text.AppendLine();
        text.AppendLine("| memory | value (start -> end) | change | target | margin | result |");
        text.AppendLine("|---|---:|---|---|---|---|");
        foreach (var row in Memory(r))
        {
            text.AppendLine($"| {row.Figure} | {row.Value} | {row.Spread} | {row.Target} | {row.Margin} | {row.Verdict} |");
        }

        return text.ToString();
    }

    public static bool TargetsMet(BenchmarkResult r) => !Timings(r).Concat(Memory(r)).Any(row => row.Failed);

    private static ReportRow Allocated(string figure, BenchmarkResult r, WarmKind kind, WarmKind baseline)
    {
        var value = r.BytesPerCall[kind];
        var note = kind == baseline ? string.Empty : $"{Bytes(value - r.BytesPerCall[baseline])} more than the {Describe(baseline)}";
        return new(figure, Bytes(value), note, "-", string.Empty, "info");
    }

    private static string Describe(WarmKind kind) => kind switch
    {
        WarmKind.Floor => "floor",
        WarmKind.EngineFloorPerCommand or WarmKind.EngineFloorPiped => "engine floor",
        _ => kind.ToString(),
    };

    private static ReportRow Info(string figure, Sample s) =>
        new(figure, Value(s), Spread(s), "-", string.Empty, "info");

    private static ReportRow Ratio(string figure, BenchmarkResult r, WarmKind kind, double limit)
    {
        var s = r.Warm[kind];
        return new(figure, Value(s), Spread(s),
            $"<= {WarmToFloorLimit.ToString("0.0#", CultureInfo.InvariantCulture)} x floor = {s.Format(limit)} {s.Unit}",
            $"{Signed(limit - s.Median, s)} {s.Unit} to spare",
            Verdict(s.Median <= limit)) { Ratios = Ratios(r, kind) };
    }

    private static ReportRow Relative(string figure, BenchmarkResult r, WarmKind kind)
    {
        var s = r.Warm[kind];
        return new(figure, Value(s), Spread(s), "-", string.Empty, "info") { Ratios = Ratios(r, kind) };
    }

    /// <summary>
    /// Medians (what the target is on); p10s, the fast mode, where the machine's wake-up latency weighs least;
    /// and the ratio within each round, which load that comes and goes cannot tilt.
    /// </summary>
    private static string Ratios(BenchmarkResult r, WarmKind kind)
    {
        var s = r.Warm[kind];
        var paired = r.PairedRatio(kind);
        return $"{Times(s.Median / r.Floor.Median)} / {Times(s.P10 / r.Floor.P10)} / {Times(paired.Median)} ({Times(paired.Percentile(0))} - {Times(paired.Percentile(100))})";
    }

    private static string Times(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);

    private static ReportRow AtMost(string figure, Sample s, double limit) =>
        new(figure, Value(s), Spread(s), $"<= {s.Format(limit)} {s.Unit}", $"{Signed(limit - s.Median, s)} {s.Unit} to spare", Verdict(s.Median <= limit));

    private static ReportRow Growth(string figure, long start, long end, long limit, Func<double, string> format, string note)
    {
        var change = end - start;
        var available = start >= 0 && end >= 0;
        var changeText = (change >= 0 ? "+" : "") + format(change) + (note.Length > 0 ? $"; {note}" : string.Empty);
        return new(figure, $"{format(start)} -> {format(end)}", changeText,
            limit == 0 ? "no growth" : $"growth <= {format(limit)}",
            available ? $"{format(limit - change)} to spare" : "not measurable here",
            available ? Verdict(change <= limit) : "n/a");
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    private static string Value(Sample s) => s.Count == 0 ? "no data" : $"{s.Format(s.Median)} {s.Unit}";

    private static string Spread(Sample s) => s.Count == 0 ? string.Empty : $"{s.Format(s.P10)} - {s.Format(s.P90)} ({s.Count})";

    private static string Signed(double value, Sample s) => (value >= 0 ? "" : "-") + s.Format(Math.Abs(value));

    private static string Count(double value) => value.ToString("0", CultureInfo.InvariantCulture);

    private static string Bytes(double value)
    {
        var magnitude = Math.Abs(value);
        var sign = value < 0 ? "-" : "";
        return magnitude >= 1024 * 1024
            ? sign + (magnitude / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
            : magnitude >= 10 * 1024
                ? sign + (magnitude / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB"
                : sign + magnitude.ToString("0", CultureInfo.InvariantCulture) + " B";
    }
}
