using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// The test assembly's entry point, used only as a child process: answers that could end the process (a stack
/// overflow cannot be caught) are met in a fresh one, so a defect fails one test instead of aborting the run.
/// <c>dotnet exec ZulipAuth.ModuleTests.dll --hostile-child MODULE SCRIPT</c> prints one line per output and
/// per error, then "done"; the exit code is 0 unless the process itself failed.
/// </summary>
public static class HostileChild
{
    public const string Switch = "--hostile-child";

    public static int Main(string[] args)
    {
        if (args.Length != 3 || args[0] != Switch)
        {
            Console.Error.WriteLine($"Usage: ZulipAuth.ModuleTests {Switch} MODULE SCRIPT");
            return 2;
        }

        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript("Import-Module -Name $args[0] -ErrorAction Stop; . ([scriptblock]::Create($args[1]))").AddArgument(args[1]).AddArgument(args[2]);
        try
        {
            foreach (var o in shell.Invoke())
            {
                Console.WriteLine("output " + (o?.BaseObject.GetType().FullName ?? "null"));
            }
        }
        catch (RuntimeException e)
        {
            Console.WriteLine("terminating " + e.ErrorRecord.FullyQualifiedErrorId);
        }

        foreach (var e in shell.Streams.Error)
        {
            Console.WriteLine("error " + e.FullyQualifiedErrorId);
        }

        Console.WriteLine("done");
        return 0;
    }

    /// <summary>Runs <paramref name="script"/> in a child process; returns its exit code and what it printed.</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) Run(string script, TimeSpan limit)
    {
        var assembly = typeof(HostileChild).Assembly.Location;
        var directory = Path.GetDirectoryName(assembly)!;
        var name = Path.GetFileNameWithoutExtension(assembly);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add("--runtimeconfig");
        start.ArgumentList.Add(Path.Combine(directory, name + ".runtimeconfig.json"));
        start.ArgumentList.Add("--depsfile");
        start.ArgumentList.Add(Path.Combine(directory, name + ".deps.json"));
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add(Switch);
        start.ArgumentList.Add(PsSession.ModulePath);
        start.ArgumentList.Add(script);

        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(limit))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            return (-1, "timed out; " + stdout.Result + stderr.Result, clock.Elapsed);
        }

        child.WaitForExit();
        return (child.ExitCode, stdout.Result + stderr.Result[..Math.Min(2000, stderr.Result.Length)], clock.Elapsed);
    }
}
