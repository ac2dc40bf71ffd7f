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
}
