using System.Diagnostics;
using System.Globalization;
using ZulipAuth.TestServer;

namespace ZulipAuth.Benchmarks;

/// <summary>What one fresh process measured, in milliseconds (NaN where that kind of child does not measure it).</summary>
public sealed record ColdFigures(double OpenMs, double ImportMs, double FirstCallMs, double TotalMs, double ProcessMs);

/// <summary>
/// Cold start needs a fresh process: the module's assembly, its HttpClient pool and settings cache, and the JIT's
/// work are all per process, so a second runspace in this one would be warm. The harness runs itself again with
/// --child and reads one line of figures back.
/// </summary>
public static class ColdStart
{
    public const string ChildSwitch = "--child";

    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(2);

    public enum Kind
    {
        /// <summary>Open a runspace, import ZulipAuth, fetch one key (server settings included).</summary>
        Module,

        /// <summary>Open a runspace and import the module path given, nothing else (e.g. a manifest-only module).</summary>
        ImportOnly,

        /// <summary>The raw HttpClient's first login in a fresh process.</summary>
        Floor,
    }

    /// <summary>Runs one child and returns what it measured.</summary>
    public static ColdFigures Measure(Kind kind, string server, string modulePath)
    {
        var start = ChildStartInfo();
        foreach (var argument in new[] { ChildSwitch, kind.ToString(), "--server", server, "--module", modulePath })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(ChildTimeout))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"The {kind} child did not finish within {ChildTimeout.TotalSeconds} s.");
        }

        child.WaitForExit();
        var processMs = clock.Elapsed.TotalMilliseconds;
        var line = stdout.Result.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("child ", StringComparison.Ordinal));
        if (child.ExitCode != 0 || line == null)
        {
            throw new InvalidOperationException($"The {kind} child failed (exit code {child.ExitCode}): {stderr.Result.Trim()}");
        }

        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(pair => pair.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        return new ColdFigures(values["open"], values["import"], values["first"], values["total"], processMs);
    }

    /// <summary>The child's side: measure, print one line, exit.</summary>
    public static int RunChild(Kind kind, string server, string modulePath, TextWriter output)
    {
        double open = double.NaN, import = double.NaN, first = double.NaN;
        var total = Stopwatch.StartNew();
        if (kind == Kind.Floor)
        {
            using var floor = new FloorClient(server);
            var start = Stopwatch.GetTimestamp();
            floor.FetchApiKey(TestUsers.Iago.Email, TestUsers.Iago.Password);
            first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        else
        {
            var start = Stopwatch.GetTimestamp();
            using var runspace = HostedModule.OpenRunspace();
            open = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            import = HostedModule.Import(runspace, modulePath) * 1000.0 / Stopwatch.Frequency;
            if (kind == Kind.Module)
            {
                var module = HostedModule.Adopt(runspace);
                first = module.TimePerCommand(server, HostedModule.Credential(TestUsers.Iago.Email, TestUsers.Iago.Password), 1)[0] * 1000.0 / Stopwatch.Frequency;
            }
        }

        var totalMs = total.Elapsed.TotalMilliseconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"child open={open} import={import} first={first} total={totalMs}"));
        return 0;
    }

    /// <summary>`dotnet exec` of this assembly with its own runtimeconfig and deps, wherever it was copied to.</summary>
    private static ProcessStartInfo ChildStartInfo()
    {
        var assembly = typeof(ColdStart).Assembly.Location;
        var directory = Path.GetDirectoryName(assembly)!;
        var name = Path.GetFileNameWithoutExtension(assembly);
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        foreach (var (option, file) in new[] { ("--runtimeconfig", name + ".runtimeconfig.json"), ("--depsfile", name + ".deps.json") })
        {
            var path = Path.Combine(directory, file);
            if (File.Exists(path))
            {
                start.ArgumentList.Add(option);
                start.ArgumentList.Add(path);
            }
        }

        start.ArgumentList.Add(assembly);
        return start;
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self != null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
