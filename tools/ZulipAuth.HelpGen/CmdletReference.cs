using System.Text.RegularExpressions;

namespace ZulipAuth.HelpGen;

public sealed record SyntaxSet(string Name, bool IsDefault, string Line);

public sealed record Example(string Title, string Code, IReadOnlyList<Block> Remarks);

public sealed record TypeEntry(string TypeName, IReadOnlyList<Block> Description);

public sealed record RelatedLink(string Text, string? Uri);

/// <summary>One parameter as the reference states it; the yaml fields are the platyPS ones.</summary>
public sealed class ParameterReference
{
    public static readonly string[] Fields =
    {
        "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters",
    };

    public ParameterReference(string name, IReadOnlyList<Block> description, IReadOnlyDictionary<string, string> yaml, int line)
    {
        Name = name;
        Description = description;
        Yaml = yaml;
        Line = line;
    }

    public string Name { get; }

    public IReadOnlyList<Block> Description { get; }

    public IReadOnlyDictionary<string, string> Yaml { get; }

    public int Line { get; }

    public string Type => Yaml["Type"];

    /// <summary>"(All)" or the set names.</summary>
    public IReadOnlyList<string> ParameterSets => Yaml["Parameter Sets"] == "(All)" ? Array.Empty<string>() : Split(Yaml["Parameter Sets"]);

    public bool InAllSets => Yaml["Parameter Sets"] == "(All)";

    public IReadOnlyList<string> Aliases => Yaml["Aliases"] == "None" ? Array.Empty<string>() : Split(Yaml["Aliases"]);

    public bool Required => Yaml["Required"] == "True";

    /// <summary>"0", "1", ... or "Named".</summary>
    public string Position => Yaml["Position"];

    public string DefaultValue => Yaml["Default value"];

    public string PipelineInput => Yaml["Accept pipeline input"];

    public bool Globbing => Yaml["Accept wildcard characters"] == "True";

    public bool IsSwitch => Type == "SwitchParameter";

    private static string[] Split(string list) => list.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
}

/// <summary>
/// One cmdlet's reference page, docs/reference/&lt;Verb-Noun&gt;.md, in platyPS's layout: the H2 sections
/// SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES and RELATED LINKS, in that order.
/// </summary>
public sealed class CmdletReference
{
    public static readonly string[] SectionOrder = { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

    private static readonly Regex ExampleTitle = new(@"^Example \d+: .+", RegexOptions.CultureInvariant);
    private static readonly Regex PipelineValue = new(@"^(False|True \((ByValue|ByPropertyName|ByPropertyName, ByValue)\))$", RegexOptions.CultureInvariant);
    private static readonly Regex PositionValue = new(@"^(\d+|Named)$", RegexOptions.CultureInvariant);

    private CmdletReference(string path, string name)
    {
        Path = path;
        Name = name;
    }

    public string Path { get; }

    public string Name { get; }

    public string? OnlineVersion { get; private set; }

    public IReadOnlyList<Block> Synopsis { get; private set; } = Array.Empty<Block>();

    public IReadOnlyList<SyntaxSet> Syntax { get; private set; } = Array.Empty<SyntaxSet>();

    public IReadOnlyList<Block> Description { get; private set; } = Array.Empty<Block>();

    public IReadOnlyList<Example> Examples { get; private set; } = Array.Empty<Example>();

    public IReadOnlyList<ParameterReference> Parameters { get; private set; } = Array.Empty<ParameterReference>();

    public IReadOnlyList<TypeEntry> Inputs { get; private set; } = Array.Empty<TypeEntry>();

    public IReadOnlyList<TypeEntry> Outputs { get; private set; } = Array.Empty<TypeEntry>();

    public IReadOnlyList<Block> Notes { get; private set; } = Array.Empty<Block>();

    public IReadOnlyList<RelatedLink> RelatedLinks { get; private set; } = Array.Empty<RelatedLink>();

    public string Verb => Name.Substring(0, Name.IndexOf('-'));

    public string Noun => Name.Substring(Name.IndexOf('-') + 1);

    /// <summary>Every docs/reference/Verb-Noun.md, sorted by name.</summary>
    public static IReadOnlyList<CmdletReference> ReadAll(string referenceDirectory) =>
        Directory.GetFiles(referenceDirectory, "*-*.md")
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(Read)
            .ToList();

    public static CmdletReference Read(string path)
    {
        var file = Markdown.Parse(path);
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var h1 = Single(file.Root, path);
        if (h1.Title != name)
        {
            throw new HelpFormatException(path, h1.Line, $"the title must be the file name, '{name}'.");
        }

        var reference = new CmdletReference(path, name);
        if (file.FrontMatter.TryGetValue("online version", out var online) && online.Length > 0)
        {
            reference.OnlineVersion = online;
        }

        var titles = h1.Children.Select(c => c.Title).ToArray();
        if (!titles.SequenceEqual(SectionOrder))
        {
            throw new HelpFormatException(path, h1.Line, $"the sections must be exactly: {string.Join(", ", SectionOrder)} (found {string.Join(", ", titles)}).");
        }

        Section Get(string title) => h1.Children.First(c => c.Title == title);

        reference.Synopsis = Text(Get("SYNOPSIS"), path);
        reference.Syntax = ReadSyntax(Get("SYNTAX"), path, name);
        reference.Description = Text(Get("DESCRIPTION"), path);
        reference.Examples = ReadExamples(Get("EXAMPLES"), path);
        reference.Parameters = ReadParameters(Get("PARAMETERS"), path);
        reference.Inputs = ReadTypes(Get("INPUTS"), path);
        reference.Outputs = ReadTypes(Get("OUTPUTS"), path);
        reference.Notes = Get("NOTES").Blocks;
        reference.RelatedLinks = ReadLinks(Get("RELATED LINKS"), path);
        return reference;
    }

    private static Section Single(Section root, string path)
    {
        if (root.Children.Count != 1 || root.Children[0].Level != 1 || root.Blocks.Count > 0)
        {
            throw new HelpFormatException(path, 1, "a reference file has one '# Title' heading and nothing before it but front matter.");
        }

        return root.Children[0];
    }

    private static IReadOnlyList<Block> Text(Section section, string path)
    {
        if (section.Blocks.Count == 0 || section.Children.Count > 0 || section.Blocks.Any(b => b.Kind == BlockKind.Include))
        {
            throw new HelpFormatException(path, section.Line, $"## {section.Title} holds text and no subsections.");
        }

        return section.Blocks;
    }

    private static IReadOnlyList<SyntaxSet> ReadSyntax(Section section, string path, string name)
    {
        var sets = new List<SyntaxSet>();
        foreach (var set in section.Children)
        {
            var code = set.Blocks.SingleOrDefault(b => b.Kind == BlockKind.Code);
            if (set.Blocks.Count != 1 || code == null || code.Text.Contains('\n') || !code.Text.StartsWith(name + " ", StringComparison.Ordinal))
            {
                throw new HelpFormatException(path, set.Line, $"### {set.Title} holds one code block with one line: '{name} <parameters>'.");
            }

            var isDefault = set.Title.EndsWith(" (Default)", StringComparison.Ordinal);
            sets.Add(new SyntaxSet(isDefault ? set.Title.Substring(0, set.Title.Length - " (Default)".Length) : set.Title, isDefault, code.Text));
        }

        if (sets.Count == 0)
        {
            throw new HelpFormatException(path, section.Line, "## SYNTAX needs a '### <parameter set>' for each parameter set.");
        }

        return sets;
    }

    private static IReadOnlyList<Example> ReadExamples(Section section, string path)
    {
        var examples = new List<Example>();
        foreach (var example in section.Children)
        {
            if (!ExampleTitle.IsMatch(example.Title))
            {
                throw new HelpFormatException(path, example.Line, "an example is titled '### Example N: what it does'.");
            }

            if (example.Blocks.Count < 2 || example.Blocks[0].Kind != BlockKind.Code || example.Blocks[0].Language != "powershell" || example.Blocks.Skip(1).Any(b => b.Kind == BlockKind.Code))
            {
                throw new HelpFormatException(path, example.Line, "an example is one ```powershell code block followed by text that explains it.");
            }

            examples.Add(new Example(example.Title, example.Blocks[0].Text, example.Blocks.Skip(1).ToList()));
        }

        return examples;
    }

    private static IReadOnlyList<ParameterReference> ReadParameters(Section section, string path)
    {
        var parameters = new List<ParameterReference>();
        foreach (var parameter in section.Children)
        {
            if (parameter.Title == "CommonParameters")
            {
                continue; // PowerShell describes the common parameters itself (about_CommonParameters).
            }

            if (!parameter.Title.StartsWith("-", StringComparison.Ordinal))
            {
                throw new HelpFormatException(path, parameter.Line, "a parameter heading is '### -Name'.");
            }

            var yamlBlock = parameter.Blocks.LastOrDefault();
            if (yamlBlock == null || yamlBlock.Kind != BlockKind.Code || yamlBlock.Language != "yaml" || parameter.Blocks.Count < 2)
            {
                throw new HelpFormatException(path, parameter.Line, "a parameter is described in text, then a ```yaml block with its properties.");
            }

            var yaml = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in yamlBlock.Text.Split('\n').Where(l => l.Trim().Length > 0))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    throw new HelpFormatException(path, yamlBlock.Line, $"'{line}' is not 'Field: value'.");
                }

                yaml[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }

            var missing = ParameterReference.Fields.Where(f => !yaml.ContainsKey(f) || yaml[f].Length == 0).ToArray();
            var unknown = yaml.Keys.Except(ParameterReference.Fields).ToArray();
            if (missing.Length > 0 || unknown.Length > 0)
            {
                throw new HelpFormatException(path, yamlBlock.Line, $"the yaml block of {parameter.Title} needs exactly {string.Join(", ", ParameterReference.Fields)} (missing: {string.Join(", ", missing)}; unknown: {string.Join(", ", unknown)}).");
            }

            if (!PipelineValue.IsMatch(yaml["Accept pipeline input"]) || !PositionValue.IsMatch(yaml["Position"]) ||
                !IsBool(yaml["Required"]) || !IsBool(yaml["Accept wildcard characters"]))
            {
                throw new HelpFormatException(path, yamlBlock.Line, "Required and Accept wildcard characters are True or False, Position a number or Named, Accept pipeline input False or True (ByValue / ByPropertyName / ByPropertyName, ByValue).");
            }

            parameters.Add(new ParameterReference(parameter.Title.Substring(1), parameter.Blocks.Take(parameter.Blocks.Count - 1).ToList(), yaml, parameter.Line));
        }

        return parameters;
    }

    private static IReadOnlyList<TypeEntry> ReadTypes(Section section, string path)
    {
        if (section.Children.Count == 0 || section.Blocks.Count > 0)
        {
            throw new HelpFormatException(path, section.Line, $"## {section.Title} lists '### Type.Name' headings, each with a description.");
        }

        return section.Children.Select(c => c.Blocks.Count == 0
            ? throw new HelpFormatException(path, c.Line, $"### {c.Title} needs a description.")
            : new TypeEntry(c.Title, c.Blocks)).ToList();
    }

    private static IReadOnlyList<RelatedLink> ReadLinks(Section section, string path)
    {
        var links = new List<RelatedLink>();
        foreach (var block in section.Blocks)
        {
            var match = Regex.Match(block.Text, @"^- \[([^\]]+)\]\(([^)\s]+)\)$", RegexOptions.CultureInvariant);
            if (block.Kind != BlockKind.ListItem || !match.Success)
            {
                throw new HelpFormatException(path, block.Line, "related links are '- [text](target)' list items.");
            }

            var target = match.Groups[2].Value;
            links.Add(new RelatedLink(match.Groups[1].Value, target.StartsWith("https://", StringComparison.Ordinal) ? target : null));
        }

        return links;
    }

    private static bool IsBool(string value) => value == "True" || value == "False";
}
