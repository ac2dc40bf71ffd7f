using System.Management.Automation;

namespace ZulipAuth.ModuleTests;

/// <summary>What Test-ModuleManifest and a gallery reviewer see in the built module folder.</summary>
public class ManifestTests : IDisposable
{
    private static readonly string[] ExpectedCmdlets =
    {
        "Export-ZulipRc", "Get-ZulipApiKey", "Get-ZulipBotApiKey", "Get-ZulipServerSettings", "Import-ZulipRc", "Reset-ZulipApiKey", "Reset-ZulipBotApiKey", "Test-ZulipApiKey",
    };

    private readonly PsSession session = new();

    [Fact]
    public void TestModuleManifestPassesOnTheBuiltFolder()
    {
        var result = session.Run("Test-ModuleManifest -Path $args[0] -ErrorAction Continue", Path.Combine(PsSession.ModulePath, "ZulipAuth.psd1"));
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var manifest = Assert.Single(result.Output);
        Assert.Equal("ZulipAuth", manifest.Properties["Name"].Value);
        var exported = ((System.Collections.IDictionary)manifest.Properties["ExportedCmdlets"].Value).Keys.Cast<string>().OrderBy(n => n);
        Assert.Equal(ExpectedCmdlets, exported);
    }

    [Fact]
    public void EveryExportedCmdletExistsWithAnApprovedVerbAndAnOutputType()
    {
        var result = session.Run("Get-Command -Module ZulipAuth");
        var commands = result.Output.Select(o => (CommandInfo)o.BaseObject).ToList();
        Assert.Equal(ExpectedCmdlets, commands.Select(c => c.Name).OrderBy(n => n));
        var approved = typeof(VerbsCommon).Assembly.GetTypes()
            .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields().Select(f => (string)f.GetValue(null)!))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var command in commands.Cast<CmdletInfo>())
        {
            Assert.Contains(command.Verb, approved);
            Assert.NotEmpty(command.OutputType);
        }
    }

    [Fact]
    public void ManifestDeclaresBothEditionsAndNothingButCmdlets()
    {
        // Import-PowerShellDataFile is not in the hosted engine; its implementation is this: a safe evaluation of the hashtable.
        var ast = System.Management.Automation.Language.Parser.ParseFile(Path.Combine(PsSession.ModulePath, "ZulipAuth.psd1"), out _, out var errors);
        Assert.Empty(errors);
        var data = (System.Collections.Hashtable)((System.Management.Automation.Language.HashtableAst)ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false)!).SafeGetValue();
        Assert.Equal("ZulipAuth.dll", data["RootModule"]);
        Assert.Equal("5.1", data["PowerShellVersion"]);
        Assert.Equal(new[] { "Desktop", "Core" }, ((object[])data["CompatiblePSEditions"]!).Cast<string>());
        Assert.Empty((object[])data["FunctionsToExport"]!);
        Assert.Empty((object[])data["AliasesToExport"]!);
        Assert.Empty((object[])data["VariablesToExport"]!);
        var psData = (System.Collections.Hashtable)((System.Collections.Hashtable)data["PrivateData"]!)["PSData"]!;
        var tags = ((object[])psData["Tags"]!).Cast<string>().ToList();
        foreach (var tag in new[] { "Zulip", "PSEdition_Desktop", "PSEdition_Core", "Windows", "Linux", "MacOS" })
        {
            Assert.Contains(tag, tags);
        }

        Assert.Equal("preview1", psData["Prerelease"]);
    }

    [Fact]
    public void TheManifestAndTheHelpLinkToNoAddressTheProjectDoesNotHave()
    {
        // The project has no public home yet: a gallery page or Get-Help -Online must not send anyone to an invented one.
        var manifest = File.ReadAllText(Path.Combine(PsSession.ModulePath, "ZulipAuth.psd1"));
        Assert.DoesNotContain("://", manifest, StringComparison.Ordinal);
        foreach (var key in new[] { "ProjectUri", "LicenseUri", "IconUri", "HelpInfoURI" })
        {
            Assert.DoesNotMatch($@"(?m)^\s*{key}\s*=", manifest);
        }

        var help = File.ReadAllText(Path.Combine(PsSession.ModulePath, "en-US", "ZulipAuth.dll-Help.xml"));
        Assert.DoesNotContain("Online Version", help, StringComparison.Ordinal);
        Assert.DoesNotContain("github.com/zulipauth", help, StringComparison.OrdinalIgnoreCase);
        foreach (var page in Directory.GetFiles(Path.Combine(PsSession.RepositoryRoot, "docs", "reference"), "*.md"))
        {
            Assert.DoesNotMatch(@"(?m)^online version:", File.ReadAllText(page));
        }
    }

    [Fact]
    public void TheModuleFolderShipsNoThirdPartyAssembly()
    {
        var assemblies = Directory.GetFiles(PsSession.ModulePath, "*.dll", SearchOption.AllDirectories).Select(Path.GetFileName);
        Assert.Equal(new[] { "ZulipAuth.dll" }, assemblies);
    }

    [Fact]
    public void TheModuleFolderShipsTheLicenseTheViewsAndTheHelp()
    {
        var root = PsSession.RepositoryRoot;
        Assert.Equal(File.ReadAllText(Path.Combine(root, "LICENSE")), File.ReadAllText(Path.Combine(PsSession.ModulePath, "LICENSE")));
        Assert.True(File.Exists(Path.Combine(PsSession.ModulePath, "ZulipAuth.format.ps1xml")));
        Assert.True(File.Exists(Path.Combine(PsSession.ModulePath, "en-US", "ZulipAuth.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(PsSession.ModulePath, "en-US", "about_ZulipAuth.help.txt")));

        var loaded = session.Run("(Get-Module ZulipAuth).ExportedFormatFiles | ForEach-Object { [IO.Path]::GetFileName($_) }");
        Assert.Equal(new[] { "ZulipAuth.format.ps1xml" }, loaded.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void TheChangelogsNewestSectionIsTheManifestVersionWithItsPrerelease()
    {
        var result = session.Run("$m = Get-Module ZulipAuth; $m.Version.ToString(3); $m.PrivateData.PSData.Prerelease");
        var version = $"{result.Output[0]}-{result.Output[1]}";
        var changelog = File.ReadAllLines(Path.Combine(PsSession.RepositoryRoot, "CHANGELOG.md"));
        var newest = changelog.First(line => line.StartsWith("## ", StringComparison.Ordinal));
        Assert.Matches($@"^## {System.Text.RegularExpressions.Regex.Escape(version)}( \(unreleased\))?$", newest);
    }

    [Fact]
    public void TheAssemblyVersionComesFromTheManifest()
    {
        var result = session.Run("(Get-Module ZulipAuth).Version.ToString(3); [ZulipAuth.ZulipApiKey].Assembly.GetName().Version.ToString(3)");
        Assert.Equal(2, result.Output.Count);
        Assert.Equal(result.Output[0].ToString(), result.Output[1].ToString());
    }

    public void Dispose() => session.Dispose();
}
