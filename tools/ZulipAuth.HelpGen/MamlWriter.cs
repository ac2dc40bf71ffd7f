using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace ZulipAuth.HelpGen;

/// <summary>
/// Writes the MAML file Get-Help reads for a binary module (en-US/&lt;Assembly&gt;.dll-Help.xml), element for
/// element as platyPS writes it, so Windows PowerShell 5.1 and PowerShell 7 both show it.
/// </summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static string Write(IEnumerable<CmdletReference> cmdlets)
    {
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), cmdlets.Select(CommandElement));
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new UTF8Encoding(false) };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static XElement CommandElement(CmdletReference cmdlet) =>
        new(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(cmdlet.Synopsis)),
            Description(cmdlet.Description),
            new XElement(Command + "syntax", cmdlet.Syntax.Select(set => SyntaxItem(cmdlet, set))),
            new XElement(Command + "parameters", cmdlet.Parameters.Select(p => Parameter(p, inSyntax: false))),
            new XElement(Command + "inputTypes", cmdlet.Inputs.Select(i => TypeElement("inputType", i))),
            new XElement(Command + "returnValues", cmdlet.Outputs.Select(o => TypeElement("returnValue", o))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(cmdlet.Notes))),
            new XElement(Command + "examples", cmdlet.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(cmdlet)));

    /// <summary>A parameter set: positional parameters by position, then the others in the order the page lists them.</summary>
    private static XElement SyntaxItem(CmdletReference cmdlet, SyntaxSet set)
    {
        var members = cmdlet.Parameters.Where(p => p.InAllSets || p.ParameterSets.Contains(set.Name)).ToList();
        var ordered = members.Where(p => p.Position != "Named").OrderBy(p => int.Parse(p.Position, System.Globalization.CultureInfo.InvariantCulture))
            .Concat(members.Where(p => p.Position == "Named"));
        return new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            ordered.Select(p => Parameter(p, inSyntax: true)));
    }

    private static XElement Parameter(ParameterReference parameter, bool inSyntax)
    {
        var element = new XElement(Command + "parameter",
            new XAttribute("required", parameter.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", parameter.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", parameter.PipelineInput),
            new XAttribute("position", parameter.Position == "Named" ? "named" : parameter.Position),
            new XAttribute("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases)),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description));

        // A switch takes no value, so the syntax shows none; the parameter list still names its type.
        if (!parameter.IsSwitch || !inSyntax)
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", parameter.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", "false"),
                parameter.Type));
        }

        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", parameter.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", parameter.DefaultValue));
        return element;
    }

    private static XElement TypeElement(string name, TypeEntry entry) =>
        new(Command + name,
            new XElement(Dev + "type", new XElement(Maml + "name", entry.TypeName)),
            Description(entry.Description));

    private static XElement Example(Example example, int index) =>
        new(Command + "example",
            new XElement(Maml + "title", Framed(example.Title)),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    /// <summary>The columns an example title line takes, dashes included: Get-Help indents it by 4, so it fits 80.</summary>
    public const int TitleWidth = 76;

    /// <summary>
    /// The title between dashes, as platyPS frames it, but with as many dashes as fill <see cref="TitleWidth"/>
    /// (at least two a side) instead of 26 a side, which wrapped any real title at 80 columns.
    /// </summary>
    private static string Framed(string title)
    {
        var dashes = Math.Max(4, TitleWidth - title.Length - 2);
        var left = dashes / 2;
        return $"{new string('-', left)} {title} {new string('-', dashes - left)}";
    }

    private static IEnumerable<XElement> Links(CmdletReference cmdlet)
    {
        if (cmdlet.OnlineVersion != null)
        {
            yield return Link("Online Version:", cmdlet.OnlineVersion);
        }

        foreach (var link in cmdlet.RelatedLinks)
        {
            yield return Link(link.Text, link.Uri);
        }
    }

    private static XElement Link(string text, string? uri) =>
        new(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", uri ?? string.Empty));

    private static XElement Description(IEnumerable<Block> blocks) => new(Maml + "description", Paragraphs(blocks));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<Block> blocks) =>
        blocks.Select(b => new XElement(Maml + "para", b.Kind switch
        {
            BlockKind.ListItem => Markdown.SplitListItem(b.Text).Marker + Markdown.Plain(Markdown.SplitListItem(b.Text).Text),
            BlockKind.Code => b.Text,
            _ => Markdown.Plain(b.Text),
        }));
}
