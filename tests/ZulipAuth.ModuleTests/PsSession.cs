using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A PowerShell runspace with the built module imported, as a user has it after Import-Module. Each Run
/// captures every stream, so tests can assert on errors, warnings and that no secret leaks into any of them.
/// </summary>
public sealed class PsSession : IDisposable
{
    private readonly Runspace runspace;

    /// <param name="host">A host whose UI records prompts and host output (RecordingHost, formatting tests); none by default.</param>
    /// <param name="configure">Adds to the engine's commands before it opens.</param>
    public PsSession(System.Management.Automation.Host.PSHost? host = null, Action<InitialSessionState>? configure = null)
    {
        var state = InitialSessionState.CreateDefault2();
        configure?.Invoke(state);
        runspace = host == null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();

        // Every stream at its most talkative, so the secrets scan sees everything a user could turn on.
        foreach (var preference in new[] { "VerbosePreference", "DebugPreference", "InformationPreference", "ProgressPreference", "WarningPreference" })
        {
            runspace.SessionStateProxy.SetVariable(preference, ActionPreference.Continue);
        }

        var import = Run("Import-Module -Name $args[0] -ErrorAction Stop", ModulePath);
        if (import.Errors.Count > 0 || import.Terminating != null)
        {
            throw new InvalidOperationException("Import-Module failed: " + (import.Terminating?.ToString() ?? import.Errors[0].ToString()));
        }
    }

    /// <summary>out/ZulipAuth, found from the repository root (the folder holding ZulipAuth.psd1).</summary>
    public static string ModulePath => Path.Combine(RepositoryRoot, "out", "ZulipAuth");

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ZulipAuth.psd1")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (ZulipAuth.psd1).");
        }
    }

    public Runspace Runspace => runspace;

    /// <summary>Runs <paramref name="script"/> with positional <c>$args</c>; every preference set to show everything.</summary>
    public PsResult Run(string script, params object?[] args) => RunNamed(script, null, args);

    /// <summary>Runs a script with a param() block, binding <paramref name="parameters"/> by name.</summary>
    public PsResult RunWith(string script, IDictionary parameters) => RunNamed(script, parameters, Array.Empty<object?>());

    /// <summary>Starts a script without waiting, for Ctrl+C tests: Stop() on the returned PowerShell is Ctrl+C.</summary>
    public (PowerShell Shell, IAsyncResult Pending) Begin(string script, IDictionary parameters)
    {
        var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script).AddParameters(parameters);
        return (shell, shell.BeginInvoke());
    }

    private PsResult RunNamed(string script, IDictionary? parameters, object?[] args)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script);
        if (parameters != null)
        {
            shell.AddParameters(parameters);
        }

        foreach (var arg in args)
        {
            shell.AddArgument(arg);
        }

        var result = new PsResult();
        try
        {
            result.Output.AddRange(shell.Invoke());
        }
        catch (RuntimeException e)
        {
            result.Terminating = e;
        }

        result.Errors.AddRange(shell.Streams.Error);
        result.Warnings.AddRange(shell.Streams.Warning.Select(w => w.Message));
        result.Verbose.AddRange(shell.Streams.Verbose.Select(v => v.Message));
        result.Debug.AddRange(shell.Streams.Debug.Select(d => d.Message));
        result.Information.AddRange(shell.Streams.Information.Select(i => i.MessageData?.ToString() ?? string.Empty));
        result.Progress.AddRange(shell.Streams.Progress);
        return result;
    }

    public static PSCredential Credential(string user, string password)
    {
        var secure = new SecureString();
        foreach (var c in password)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return new PSCredential(user, secure);
    }

    public void Dispose() => runspace.Dispose();
}

/// <summary>Everything one Run produced, stream by stream.</summary>
public sealed class PsResult
{
    public List<PSObject> Output { get; } = new();

    public List<ErrorRecord> Errors { get; } = new();

    public List<string> Warnings { get; } = new();

    public List<string> Verbose { get; } = new();

    public List<string> Debug { get; } = new();

    public List<string> Information { get; } = new();

    public List<ProgressRecord> Progress { get; } = new();

    public RuntimeException? Terminating { get; set; }

    public ErrorRecord SingleError()
    {
        Assert.Null(Terminating);
        return Assert.Single(Errors);
    }

    /// <summary>Every piece of text that reached a stream other than the output, for the secrets scan.</summary>
    public IEnumerable<string> NonOutputText()
    {
        foreach (var e in Errors.Concat(Terminating?.ErrorRecord is { } t ? new[] { t } : Array.Empty<ErrorRecord>()))
        {
            yield return e.ToString();
            yield return e.FullyQualifiedErrorId;
            yield return e.CategoryInfo.ToString();
            yield return e.ErrorDetails?.Message ?? string.Empty;
            yield return e.ErrorDetails?.RecommendedAction ?? string.Empty;
            yield return e.TargetObject?.ToString() ?? string.Empty;
            for (Exception? x = e.Exception; x != null; x = x.InnerException)
            {
                yield return x.ToString();
                foreach (DictionaryEntry d in x.Data)
                {
                    yield return $"{d.Key}={d.Value}";
                }

                foreach (var p in x.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
                {
                    object? value;
                    try { value = p.GetValue(x); } catch { continue; }
                    yield return value?.ToString() ?? string.Empty;
                }
            }
        }

        if (Terminating != null)
        {
            yield return Terminating.ToString();
        }

        foreach (var s in Warnings.Concat(Verbose).Concat(Debug).Concat(Information))
        {
            yield return s;
        }

        foreach (var p in Progress)
        {
            yield return p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation;
        }
    }

    public void AssertNoSecret(params string[] secrets)
    {
        foreach (var text in NonOutputText())
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), "A secret reached a non-output stream.");
            }
        }
    }
}
