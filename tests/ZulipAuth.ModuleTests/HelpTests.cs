using System.Collections;
using System.Management.Automation;
using ZulipAuth.HelpGen;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// The help a user reads with Get-Help, read the way they read it, and the reference it is generated from
/// (docs/reference/*.md) checked against the compiled cmdlets, so neither can drift from the code.
/// </summary>
public class HelpTests : IDisposable
{
    private static readonly string[] Placeholders = { "{{", "TODO", "TBD", "FIXME", "Fill in", "<!--" };

    private readonly PsSession session = new();

    private static string Docs => Path.Combine(PsSession.RepositoryRoot, "docs");

    private List<CmdletInfo> Cmdlets() =>
        session.Run("Get-Command -Module ZulipAuth").Output.Select(o => (CmdletInfo)o.BaseObject).OrderBy(c => c.Name).ToList();

    /// <summary>The parameters a page must describe: all but the common ones, which PowerShell describes itself (WhatIf and Confirm stay).</summary>
    private static IEnumerable<ParameterMetadata> OwnParameters(CmdletInfo cmdlet) =>
        cmdlet.Parameters.Values.Where(p => !Cmdlet.CommonParameters.Contains(p.Name));

    [Fact]
    public void EveryCmdletHasFullHelpFromTheShippedHelpFile()
    {
        var problems = new List<string>();
        foreach (var cmdlet in Cmdlets())
        {
            var help = ReadHelp(cmdlet.Name);
            var name = cmdlet.Name;
            if (!help.TypeNames.Any(t => t.Contains("MamlCommandHelpInfo", StringComparison.Ordinal)))
            {
                problems.Add($"{name}: Get-Help did not find it in en-US/ZulipAuth.dll-Help.xml ({string.Join(", ", help.TypeNames)}).");
                continue;
            }

            Require(problems, help.Synopsis.Length > 20 && !help.Synopsis.StartsWith(name + " ", StringComparison.Ordinal), $"{name}: no synopsis");
            Require(problems, help.Description.Length > 100, $"{name}: no description");
            Require(problems, help.Examples.Count >= 2, $"{name}: {help.Examples.Count} examples, at least 2 wanted");
            foreach (var example in help.Examples)
            {
                Require(problems, example.Code.Length > 0 && example.Remarks.Length > 0, $"{name}: example '{example.Title}' lacks code or an explanation");
            }

            Require(problems, help.Inputs.Count > 0 && help.Inputs.All(i => i.Description.Length > 0), $"{name}: inputs undescribed");
            Require(problems, help.Outputs.Count > 0 && help.Outputs.All(o => o.Description.Length > 0), $"{name}: outputs undescribed");
            foreach (var output in cmdlet.OutputType)
            {
                Require(problems, help.Outputs.Any(o => o.Type == output.Name), $"{name}: output type {output.Name} ([OutputType]) is not in the help");
            }

            Require(problems, help.Links.Count(l => l.StartsWith("about_ZulipAuth", StringComparison.Ordinal)) == 1, $"{name}: no related link to about_ZulipAuth");

            var documented = help.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            foreach (var parameter in OwnParameters(cmdlet))
            {
                if (!documented.TryGetValue(parameter.Name, out var text))
                {
                    problems.Add($"{name}: -{parameter.Name} is not in the help");
                    continue;
                }

                Require(problems, text.Description.Length > 20, $"{name}: -{parameter.Name} has no description");
                Require(problems, text.Type.Length > 0 && text.Default.Length > 0, $"{name}: -{parameter.Name} has no type or default");
                var sets = parameter.ParameterSets.Values;
                Require(problems, text.Required == (sets.First().IsMandatory ? "true" : "false"), $"{name}: -{parameter.Name} required is '{text.Required}' in the help");
                Require(problems, text.Position == PositionText(sets.First().Position).ToLowerInvariant(), $"{name}: -{parameter.Name} position is '{text.Position}' in the help");
                Require(problems, text.Pipeline == PipelineText(sets.First()), $"{name}: -{parameter.Name} pipeline input is '{text.Pipeline}' in the help");
            }

            foreach (var extra in documented.Keys.Except(OwnParameters(cmdlet).Select(p => p.Name), StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{name}: the help describes -{extra}, which the cmdlet does not have");
            }

            foreach (var text in help.AllText())
            {
                foreach (var placeholder in Placeholders.Where(p => text.Contains(p, StringComparison.Ordinal)))
                {
                    problems.Add($"{name}: placeholder '{placeholder}' in \"{Shorten(text)}\"");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void AboutZulipAuthIsFoundAndCoversSecurityRateLimitsAndEveryErrorId()
    {
        var result = session.Run("Get-Help about_ZulipAuth");
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var text = string.Join("\n", result.Output.Select(o => o.ToString()));
        Assert.StartsWith("TOPIC", text.TrimStart('\uFEFF'));
        foreach (var section in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION", "SECURITY MODEL", "TROUBLESHOOTING BY ERRORID", "SEE ALSO" })
        {
            Assert.Contains("\n" + section + "\n", text);
        }

        foreach (var fact in new[] { "0600", "5 attempts per 30 minutes", "shared with the web app", "Retry-After", "10 minutes", "-AllowUnencryptedAuthentication", "never follows a redirect", "SecureString" })
        {
            Assert.Contains(fact, Flatten(text));
        }

        foreach (var id in ErrorIds())
        {
            Assert.Contains("\n    " + id + "\n", text);
        }

        foreach (var placeholder in Placeholders)
        {
            Assert.DoesNotContain(placeholder, text);
        }
    }

    [Fact]
    public void EveryExampleTitleAndCodeLineFitsEightyColumns()
    {
        // Get-Help indents an example's title line and its code by 4; a longer line wraps mid-word at 80 columns.
        const int Indent = 4;
        var problems = new List<string>();
        var count = 0;
        foreach (var cmdlet in Cmdlets())
        {
            foreach (var example in ReadHelp(cmdlet.Name).Examples)
            {
                count++;
                Require(problems, Indent + example.Title.Length <= 80, $"{cmdlet.Name}: the title line '{example.Title}' takes {Indent + example.Title.Length} columns");
                foreach (var line in example.Code.Replace("\r\n", "\n").Split('\n'))
                {
                    Require(problems, Indent + line.Length <= 80, $"{cmdlet.Name}: '{Shorten(example.Title)}' has a code line of {Indent + line.Length} columns: {Shorten(line)} (splat the parameters)");
                }
            }
        }

        var about = File.ReadAllText(Path.Combine(PsSession.ModulePath, "en-US", "about_ZulipAuth.help.txt"));
        var aboutExamples = about[about.IndexOf("\nEXAMPLES\n", StringComparison.Ordinal)..about.IndexOf("\nSEE ALSO\n", StringComparison.Ordinal)];
        foreach (var line in aboutExamples.Replace("\r\n", "\n").Split('\n'))
        {
            Require(problems, line.Length <= 80, $"about_ZulipAuth: an example line of {line.Length} columns: {Shorten(line)}");
        }

        Assert.True(count >= 10, $"only {count} examples found");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void AboutZulipAuthHasAOneLineSummaryAndNamesNoPageOutsideThePackage()
    {
        var text = File.ReadAllText(Path.Combine(PsSession.ModulePath, "en-US", "about_ZulipAuth.help.txt")).Replace("\r\n", "\n");
        var start = text.IndexOf("\nSHORT DESCRIPTION\n", StringComparison.Ordinal) + "\nSHORT DESCRIPTION\n".Length;
        var summary = text[start..text.IndexOf("\nLONG DESCRIPTION\n", StringComparison.Ordinal)].Trim('\n').Split('\n');
        Assert.True(summary.Length == 1 && summary[0].Length <= 80, $"SHORT DESCRIPTION takes {summary.Length} lines: {string.Join(" / ", summary)}");

        // The module folder holds no docs/*.md: a reader of Get-Help must not be sent to a file they do not have.
        var pages = System.Text.RegularExpressions.Regex.Matches(text, @"[\w./-]+\.md\b").Select(m => m.Value).Distinct().ToList();
        Assert.True(pages.Count == 0, $"about_ZulipAuth names {string.Join(", ", pages)}, which the package does not ship");
    }

    [Fact]
    public void TheShippedHelpIsGeneratedFromTheCurrentReference()
    {
        var expected = HelpGenerator.Generate(Docs);
        var folder = Path.Combine(PsSession.ModulePath, "en-US");
        var shipped = Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Keys, shipped);
        foreach (var (name, content) in expected)
        {
            Assert.True(content == File.ReadAllText(Path.Combine(folder, name)), $"out/ZulipAuth/en-US/{name} is stale: run dotnet build.");
        }
    }

    [Fact]
    public void TheReferenceStatesEveryParameterAsTheCompiledCmdletHasIt()
    {
        var references = CmdletReference.ReadAll(Path.Combine(Docs, "reference")).ToDictionary(r => r.Name);
        var cmdlets = Cmdlets();
        Assert.Equal(cmdlets.Select(c => c.Name), references.Keys.OrderBy(k => k));
        var problems = new List<string>();
        foreach (var cmdlet in cmdlets)
        {
            var reference = references[cmdlet.Name];
            var where = Path.GetFileName(reference.Path);

            // The syntax is PowerShell's own rendering of each parameter set, so a changed parameter shows here too.
            var actualSets = cmdlet.ParameterSets.Select(s => (s.Name, s.IsDefault || cmdlet.ParameterSets.Count == 1, $"{cmdlet.Name} {s}")).ToList();
            var documentedSets = reference.Syntax.Select(s => (s.Name, s.IsDefault || reference.Syntax.Count == 1, s.Line)).ToList();
            Require(problems, actualSets.SequenceEqual(documentedSets), $"{where}: SYNTAX should be{Environment.NewLine}{string.Join(Environment.NewLine, actualSets.Select(s => $"### {s.Name}{(s.Item2 && actualSets.Count > 1 ? " (Default)" : string.Empty)}: {s.Item3}"))}");

            var documented = reference.Parameters.ToDictionary(p => p.Name);
            var instance = Activator.CreateInstance(cmdlet.ImplementingType)!;
            foreach (var parameter in OwnParameters(cmdlet))
            {
                if (!documented.Remove(parameter.Name, out var doc))
                {
                    problems.Add($"{where}: -{parameter.Name} is missing");
                    continue;
                }

                var sets = parameter.ParameterSets;
                var first = sets.Values.First();
                var expected = new Dictionary<string, string>
                {
                    ["Type"] = parameter.ParameterType.Name,
                    ["Parameter Sets"] = sets.ContainsKey(ParameterAttribute.AllParameterSets) || sets.Count == cmdlet.ParameterSets.Count ? "(All)" : string.Join(", ", sets.Keys.OrderBy(k => k, StringComparer.Ordinal)),
                    ["Aliases"] = parameter.Aliases.Count == 0 ? "None" : string.Join(", ", parameter.Aliases),
                    ["Required"] = first.IsMandatory ? "True" : "False",
                    ["Position"] = PositionText(first.Position),
                    ["Default value"] = DefaultText(instance, parameter, doc.DefaultValue),
                    ["Accept pipeline input"] = PipelineText(first),
                    ["Accept wildcard characters"] = parameter.Attributes.OfType<SupportsWildcardsAttribute>().Any() ? "True" : "False",
                };

                Require(problems, sets.Values.All(s => s.IsMandatory == first.IsMandatory && s.Position == first.Position && PipelineText(s) == PipelineText(first)),
                    $"{where}: -{parameter.Name} differs between parameter sets, which the reference format cannot state");
                foreach (var (field, value) in expected)
                {
                    var stated = field == "Parameter Sets" ? string.Join(", ", doc.InAllSets ? new[] { "(All)" } : doc.ParameterSets.OrderBy(k => k, StringComparer.Ordinal)) : doc.Yaml[field];
                    Require(problems, stated == value, $"{where}: -{parameter.Name} {field}: '{stated}', the cmdlet says '{value}'");
                }
            }

            (instance as IDisposable)?.Dispose();
            foreach (var extra in documented.Keys)
            {
                problems.Add($"{where}: -{extra} is documented but the cmdlet has no such parameter");
            }

            foreach (var output in cmdlet.OutputType)
            {
                Require(problems, reference.Outputs.Any(o => o.TypeName == output.Name), $"{where}: OUTPUTS lacks {output.Name}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void TheSharedTransportParametersReadTheSameOnEveryPage()
    {
        var references = CmdletReference.ReadAll(Path.Combine(Docs, "reference")).ToDictionary(r => r.Name);
        var texts = new Dictionary<string, HashSet<string>>();
        foreach (var cmdlet in Cmdlets().Where(c => c.ImplementingType.BaseType?.Name == "ZulipWebCmdlet"))
        {
            foreach (var parameter in OwnParameters(cmdlet).Where(p => cmdlet.ImplementingType.GetProperty(p.Name)!.DeclaringType!.Name == "ZulipWebCmdlet"))
            {
                var doc = references[cmdlet.Name].Parameters.Single(p => p.Name == parameter.Name);
                var text = string.Join("\n", doc.Description.Select(b => b.Text)) + "\n" + string.Join("\n", doc.Yaml.Select(kv => kv.Key + ": " + kv.Value));
                (texts.TryGetValue(parameter.Name, out var set) ? set : texts[parameter.Name] = new HashSet<string>()).Add(text);
            }
        }

        Assert.Equal(11, texts.Count);
        foreach (var (name, variants) in texts)
        {
            Assert.True(variants.Count == 1, $"-{name} is described differently on the pages of the cmdlets that share it.");
        }
    }

    [Fact]
    public void TroubleshootingHasOneSectionPerErrorIdWithItsRealCategory()
    {
        var page = Markdown.Parse(Path.Combine(Docs, "troubleshooting.md"));
        var sections = page.Root.Children.Single().Children;
        var ids = ErrorIds();
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), sections.Select(s => s.Title).OrderBy(i => i, StringComparer.Ordinal));

        var result = session.Run("$t = [ZulipAuth.ZulipApiKey].Assembly.GetType('ZulipAuth.Commands.ErrorRecords', $true); foreach ($id in $args) { $t.GetMethod('CategoryOf').Invoke($null, @($id)).ToString() }", ids.Cast<object?>().ToArray());
        var categories = ids.Zip(result.Output.Select(o => o.ToString())).ToDictionary(p => p.First, p => p.Second);
        foreach (var section in sections)
        {
            var first = section.Blocks.First().Text;
            Assert.Equal($"Category: `{categories[section.Title]}`.", first);
            Assert.Contains(section.Blocks, b => b.Text.StartsWith("Cause: ", StringComparison.Ordinal));
            Assert.Contains(section.Blocks, b => b.Text.StartsWith("Fix: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void EveryPowerShellExampleInTheDocsParses()
    {
        var root = PsSession.RepositoryRoot;
        var pages = Directory.GetFiles(Docs, "*.md", SearchOption.AllDirectories).Append(Path.Combine(root, "README.md"));
        var problems = new List<string>();
        var count = 0;
        foreach (var page in pages)
        {
            foreach (var code in AllBlocks(Markdown.Parse(page).Root).Where(b => b.Kind == BlockKind.Code && b.Language == "powershell"))
            {
                count++;
                System.Management.Automation.Language.Parser.ParseInput(code.Text, out _, out var errors);
                problems.AddRange(errors.Select(e => $"{Path.GetRelativePath(root, page)}({code.Line + e.Extent.StartLineNumber}): {e.Message}"));
            }
        }

        Assert.True(count > 40, $"only {count} PowerShell examples found");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<Block> AllBlocks(Section section) => section.Blocks.Concat(section.Children.SelectMany(AllBlocks));

    private List<string> ErrorIds() =>
        session.Run("[ZulipAuth.ZulipErrorId].GetFields() | ForEach-Object { $_.GetValue($null) }").Output.Select(o => o.ToString()).ToList();

    private static string PositionText(int position) => position == int.MinValue ? "Named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string PipelineText(ParameterSetMetadata set) => (set.ValueFromPipeline, set.ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    /// <summary>
    /// The default a fresh cmdlet object has, as the reference writes it: numbers as they are, False for switches,
    /// None for nothing. A computed string default (a path under $HOME) may be written with $HOME.
    /// </summary>
    private static string DefaultText(object instance, ParameterMetadata parameter, string stated)
    {
        // -WhatIf and -Confirm are PowerShell's, not properties of the cmdlet: off unless given.
        var property = instance.GetType().GetProperty(parameter.Name);
        var value = property == null ? new SwitchParameter(false) : property.GetValue(instance);
        switch (value)
        {
            case null:
            case string { Length: 0 }:
                return "None";
            case SwitchParameter s:
                return s.IsPresent ? "True" : "False";
            case string text:
                var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                return Path.GetFullPath(stated.Replace("$HOME", home)) == Path.GetFullPath(text) ? stated : text;
            default:
                return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        }
    }

    private HelpView ReadHelp(string name)
    {
        const string script = @"
            param($Name)
            function Join-Text($items) { (@($items) | ForEach-Object { $_.Text }) -join ""`n"" }
            $h = Get-Help $Name -Full
            [pscustomobject]@{
                TypeNames = @($h.PSObject.TypeNames)
                Synopsis = [string]$h.Synopsis
                Description = Join-Text $h.description
                Parameters = @(@($h.parameters.parameter) | ForEach-Object {
                    [pscustomobject]@{ Name = $_.name; Description = Join-Text $_.description; Type = [string]$_.type.name; Required = [string]$_.required
                        Position = [string]$_.position; Pipeline = [string]$_.pipelineInput; Default = [string]$_.defaultValue } })
                Examples = @(@($h.examples.example) | ForEach-Object { [pscustomobject]@{ Title = [string]$_.title; Code = [string]$_.code; Remarks = Join-Text $_.remarks } })
                Inputs = @(@($h.inputTypes.inputType) | ForEach-Object { [pscustomobject]@{ Type = [string]$_.type.name; Description = Join-Text $_.description } })
                Outputs = @(@($h.returnValues.returnValue) | ForEach-Object { [pscustomobject]@{ Type = [string]$_.type.name; Description = Join-Text $_.description } })
                Links = @(@($h.relatedLinks.navigationLink) | ForEach-Object { [string]$_.linkText })
                Notes = Join-Text $h.alertSet.alert
            }";
        var result = session.RunWith(script, new Hashtable { ["Name"] = name });
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var o = Assert.Single(result.Output);
        string S(PSObject p, string n) => p.Properties[n].Value?.ToString() ?? string.Empty;
        IEnumerable<PSObject> L(string n) => ((IEnumerable)o.Properties[n].Value).Cast<object>().Select(PSObject.AsPSObject);
        return new HelpView(
            ((IEnumerable)o.Properties["TypeNames"].Value).Cast<object>().Select(t => t.ToString()!).ToList(),
            S(o, "Synopsis"),
            S(o, "Description"),
            L("Parameters").Select(p => new HelpParameter(S(p, "Name"), S(p, "Description"), S(p, "Type"), S(p, "Required"), S(p, "Position"), S(p, "Pipeline"), S(p, "Default"))).ToList(),
            L("Examples").Select(e => new HelpExample(S(e, "Title"), S(e, "Code"), S(e, "Remarks"))).ToList(),
            L("Inputs").Select(t => new HelpType(S(t, "Type"), S(t, "Description"))).ToList(),
            L("Outputs").Select(t => new HelpType(S(t, "Type"), S(t, "Description"))).ToList(),
            L("Links").Select(l => l.ToString()).ToList(),
            S(o, "Notes"));
    }

    private static void Require(List<string> problems, bool condition, string problem)
    {
        if (!condition)
        {
            problems.Add(problem);
        }
    }

    private static string Flatten(string text) => string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";

    public void Dispose() => session.Dispose();

    private sealed record HelpParameter(string Name, string Description, string Type, string Required, string Position, string Pipeline, string Default);

    private sealed record HelpExample(string Title, string Code, string Remarks);

    private sealed record HelpType(string Type, string Description);

    private sealed record HelpView(List<string> TypeNames, string Synopsis, string Description, List<HelpParameter> Parameters, List<HelpExample> Examples, List<HelpType> Inputs, List<HelpType> Outputs, List<string> Links, string Notes)
    {
        public IEnumerable<string> AllText() =>
            new[] { Synopsis, Description, Notes }
                .Concat(Parameters.SelectMany(p => new[] { p.Description, p.Default }))
                .Concat(Examples.SelectMany(e => new[] { e.Title, e.Code, e.Remarks }))
                .Concat(Inputs.Concat(Outputs).SelectMany(t => new[] { t.Type, t.Description }))
                .Concat(Links);
    }
}
