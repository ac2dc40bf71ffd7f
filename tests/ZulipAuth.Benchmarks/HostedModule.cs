using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace ZulipAuth.Benchmarks;

/// <summary>
/// The module as a user runs it: a PowerShell 7 engine hosted in this process, the built folder imported with
/// Import-Module. Each method runs one script and fails loudly when any call in it did not return a key, so a
/// figure is never the time of an error path.
/// </summary>
public sealed class HostedModule : IDisposable
{
    // The scripts name their command literally ({Command}), as a user's script does, so PowerShell resolves it once.
    // -SkipCertificateCheck (the test server's certificate is self-signed; the floor skips the check too) warns on
    // every command of the module; the warning is still built and written, only not shown.
    private const string PerCommandScript = """
        param($Server, $Credential, $Count)
        $WarningPreference = 'SilentlyContinue'
        $times = [System.Collections.Generic.List[long]]::new([int]$Count)
        $ok = 0
        1..$Count | ForEach-Object {
            $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
            $key = {Command} -Server $Server -Credential $Credential -SkipCertificateCheck
            $times.Add([System.Diagnostics.Stopwatch]::GetTimestamp() - $t0)
            if ($null -ne $key) { $ok++ }
        }
        $ok
        , $times.ToArray()
        """;

    // Credentials piped into one command: one BeginProcessing, one ProcessRecord per credential. The time between
    // two outputs is what one more credential costs.
    private const string PipedScript = """
        param($Server, $Credentials)
        $stamps = [System.Collections.Generic.List[long]]::new($Credentials.Count + 1)
        $stamps.Add([System.Diagnostics.Stopwatch]::GetTimestamp())
        $Credentials | {Command} -Server $Server -SkipCertificateCheck -WarningAction SilentlyContinue |
            ForEach-Object { $stamps.Add([System.Diagnostics.Stopwatch]::GetTimestamp()) }
        , $stamps.ToArray()
        """;

    // The bulk-job shape with nothing added for measuring: what the soak runs.
    private const string PlainLoopScript = """
        param($Server, $Credential, $Count)
        $WarningPreference = 'SilentlyContinue'
        $ok = 0
        1..$Count | ForEach-Object {
            if ($null -ne (Get-ZulipApiKey -Server $Server -Credential $Credential -SkipCertificateCheck)) { $ok++ }
        }
        $ok
        """;

    public const string ModuleCommand = "Get-ZulipApiKey";

    private readonly Runspace runspace;

    private HostedModule(Runspace runspace) => this.runspace = runspace;

    /// <summary>
    /// A fresh runspace with the default session state, opened and primed with one trivial command; with
    /// <paramref name="withEngineFloor"/>, <see cref="FloorLoginCommand"/> is in it too.
    /// </summary>
    public static Runspace OpenRunspace(bool withEngineFloor = false)
    {
        var state = InitialSessionState.CreateDefault2();
        if (withEngineFloor)
        {
            state.Commands.Add(new SessionStateCmdletEntry(FloorLoginCommand.Name, typeof(FloorLoginCommand), null));
        }

        var opened = RunspaceFactory.CreateRunspace(state);
        opened.Open();
        using var prime = PowerShell.Create();
        prime.Runspace = opened;
        prime.AddScript("$null").Invoke();
        return opened;
    }

    /// <summary>Import-Module of <paramref name="modulePath"/> into <paramref name="runspace"/>; the elapsed Stopwatch ticks.</summary>
    public static long Import(Runspace runspace, string modulePath)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddCommand("Import-Module").AddParameter("Name", modulePath).AddParameter("ErrorAction", ActionPreference.Stop);
        var start = Stopwatch.GetTimestamp();
        shell.Invoke();
        var elapsed = Stopwatch.GetTimestamp() - start;
        ThrowOnErrors(shell, "Import-Module");
        return elapsed;
    }

    /// <summary>Wraps a runspace that already has the module imported; disposing the wrapper closes it.</summary>
    public static HostedModule Adopt(Runspace imported) => new(imported);

    /// <summary>A runspace with the module imported and the engine floor's cmdlet beside it.</summary>
    public static HostedModule Start(string modulePath)
    {
        var opened = OpenRunspace(withEngineFloor: true);
        try
        {
            Import(opened, modulePath);
            return new HostedModule(opened);
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>Stopwatch ticks of each of <paramref name="count"/> commands run one by one in a ForEach-Object.</summary>
    public long[] TimePerCommand(string server, PSCredential credential, int count, string command = ModuleCommand)
    {
        var output = Run(PerCommandScript.Replace("{Command}", command, StringComparison.Ordinal), new Hashtable { ["Server"] = server, ["Credential"] = credential, ["Count"] = count });
        ExpectKeys(count, output[0]);
        return (long[])output[1].BaseObject;
    }

    /// <summary>Stopwatch ticks between consecutive outputs of one command fed <paramref name="count"/> credentials.</summary>
    public long[] TimePiped(string server, PSCredential credential, int count, string command = ModuleCommand)
    {
        var credentials = Enumerable.Repeat(credential, count).ToArray();
        var output = Run(PipedScript.Replace("{Command}", command, StringComparison.Ordinal), new Hashtable { ["Server"] = server, ["Credentials"] = credentials });
        var stamps = (long[])output[0].BaseObject;
        ExpectKeys(count, stamps.Length - 1);
        // The first interval also holds the pipeline's start and BeginProcessing; the rest are one credential each.
        return stamps.Skip(1).Zip(stamps.Skip(2), (a, b) => b - a).ToArray();
    }

    /// <summary>Runs <paramref name="count"/> commands with nothing added for measuring.</summary>
    public void RunCommands(string server, PSCredential credential, int count)
    {
        var output = Run(PlainLoopScript, new Hashtable { ["Server"] = server, ["Credential"] = credential, ["Count"] = count });
        ExpectKeys(count, output[0]);
    }

    /// <summary>Evaluates an expression in the module's runspace (e.g. a static of the module's types).</summary>
    public object? Evaluate(string expression) => Run(expression, new Hashtable()).FirstOrDefault()?.BaseObject;

    public static PSCredential Credential(string user, string password) =>
        new(user, new System.Net.NetworkCredential(string.Empty, password).SecurePassword);

    private List<PSObject> Run(string script, IDictionary parameters)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script).AddParameters(parameters);
        var output = shell.Invoke().ToList();
        ThrowOnErrors(shell, "The benchmark script");
        return output;
    }

    private static void ExpectKeys(int expected, object actual)
    {
        var got = Convert.ToInt32(actual is PSObject p ? p.BaseObject : actual, CultureInfo.InvariantCulture);
        if (got != expected)
        {
            throw new InvalidOperationException($"Expected {expected} API keys, got {got}: the figures would not be those of successful logins.");
        }
    }

    private static void ThrowOnErrors(PowerShell shell, string what)
    {
        if (shell.HadErrors && shell.Streams.Error.Count > 0)
        {
            var first = shell.Streams.Error[0];
            throw new InvalidOperationException($"{what} wrote {shell.Streams.Error.Count} error(s); the first: {first.FullyQualifiedErrorId}: {first}");
        }
    }

    public void Dispose() => runspace.Dispose();
}
