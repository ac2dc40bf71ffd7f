using System.Management.Automation.Language;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Pester does not run on this machine (no pwsh), so at least every script a user runs must parse: the Pester
/// files, build.ps1 and the helper scripts. build.ps1 -Task Test runs Pester where it exists.
/// </summary>
public class PesterFilesTests
{
    public static IEnumerable<object[]> Scripts()
    {
        var root = PsSession.RepositoryRoot;
        var files = Directory.GetFiles(Path.Combine(root, "tests"), "*.ps1", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Append(Path.Combine(root, "build.ps1"));
        return files.Select(f => new object[] { Path.GetRelativePath(root, f) });
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ParsesWithoutErrors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(PsSession.RepositoryRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void ThereArePesterFilesForEveryCmdlet()
    {
        var names = Directory.GetFiles(Path.Combine(PsSession.RepositoryRoot, "tests"), "*.Tests.ps1").Select(Path.GetFileName).ToList();
        foreach (var expected in new[] { "Get-ZulipApiKey.Tests.ps1", "Get-ZulipServerSettings.Tests.ps1", "Test-ZulipApiKey.Tests.ps1", "ZulipRc.Tests.ps1" })
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public void PesterFilesUsePester5Syntax()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(PsSession.RepositoryRoot, "tests"), "*.Tests.ps1"))
        {
            var ast = Parser.ParseFile(file, out _, out _);
            var commands = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName()).Where(n => n != null).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.Contains("Describe", commands);
            Assert.Contains("BeforeAll", commands);
            // Pester 5 runs discovery first: the old Pester 4 "Assert-MockCalled" and "-Be" without Should break there.
            Assert.DoesNotContain("Assert-MockCalled", commands);
        }
    }

    /// <summary>
    /// What a compiler would catch: every call in the Pester files (and build.ps1) to a module cmdlet or to a
    /// helper of tests/TestServer.ps1 and tests/TestHelpers.ps1 names a command that exists, with parameters it has.
    /// </summary>
    [Fact]
    public void PesterFilesCallOnlyCommandsAndParametersThatExist()
    {
        var root = PsSession.RepositoryRoot;
        var known = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        var scripts = Directory.GetFiles(Path.Combine(root, "tests"), "*.ps1").Append(Path.Combine(root, "build.ps1")).ToList();
        foreach (var script in scripts)
        {
            var ast = Parser.ParseFile(script, out _, out _);
            foreach (var function in ast.FindAll(a => a is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>())
            {
                var parameters = (function.Body.ParamBlock?.Parameters ?? (IEnumerable<ParameterAst>?)function.Parameters ?? Array.Empty<ParameterAst>())
                    .Select(p => p.Name.VariablePath.UserPath);
                var names = new HashSet<string>(parameters, StringComparer.OrdinalIgnoreCase);
                if (function.Body.ParamBlock?.Attributes.Any(a => a.TypeName.GetReflectionType() == typeof(System.Management.Automation.CmdletBindingAttribute)) == true)
                {
                    names.UnionWith(CommonParameters);
                }

                known[function.Name] = names;
            }
        }

        using (var session = new PsSession())
        {
            foreach (var command in session.Run("Get-Command -Module ZulipAuth").Output.Select(o => (System.Management.Automation.CommandInfo)o.BaseObject))
            {
                known[command.Name] = new HashSet<string>(command.Parameters.Values.SelectMany(p => p.Aliases.Prepend(p.Name)), StringComparer.OrdinalIgnoreCase);
            }
        }

        var problems = new List<string>();
        foreach (var script in scripts)
        {
            var ast = Parser.ParseFile(script, out _, out _);
            foreach (var call in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
            {
                var name = call.GetCommandName();
                if (name == null || !name.Contains("-Zulip", StringComparison.OrdinalIgnoreCase) && !known.ContainsKey(name))
                {
                    continue;
                }

                var where = $"{Path.GetRelativePath(root, script)}:{call.Extent.StartLineNumber}";
                if (!known.TryGetValue(name, out var parameters))
                {
                    problems.Add($"{where}: no command {name}");
                    continue;
                }

                problems.AddRange(call.CommandElements.OfType<CommandParameterAst>()
                    .Where(p => !parameters.Contains(p.ParameterName))
                    .Select(p => $"{where}: {name} has no parameter -{p.ParameterName}"));
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "vb", "db", "ea", "wa", "infa", "proga", "ev", "wv", "iv", "ov", "ob", "pv",
    };
}
