using System.Text;
using System.Text.RegularExpressions;

namespace ZulipAuth.HelpGen;

/// <summary>A mistake in a reference file, with the place to fix it (printed as an MSBuild error).</summary>
public sealed class HelpFormatException : Exception
{
    public HelpFormatException(string file, int line, string message)
        : base($"{file}({line}): error HELP001: {message}")
    {
        File = file;
        Line = line;
    }

    public string File { get; }

    public int Line { get; }
}

public enum BlockKind
{
    Paragraph,
    ListItem,
    Code,
    Table,
    Include,
}

/// <summary>One block of a markdown section. Paragraph and list text is still markdown (inline marks kept).</summary>
public sealed record Block(BlockKind Kind, string Text, int Line, string Language = "");

/// <summary>A heading with what follows it up to the next heading of the same or a higher level.</summary>
public sealed class Section
{
    public Section(int level, string title, int line)
    {
        Level = level;
        Title = title;
        Line = line;
    }

    public int Level { get; }

    public string Title { get; }

    public int Line { get; }

    public List<Block> Blocks { get; } = new();

    public List<Section> Children { get; } = new();
}

/// <summary>A parsed markdown file: its front matter and its heading tree (the root has level 0).</summary>
public sealed class MarkdownFile
{
    public MarkdownFile(string path, Dictionary<string, string> frontMatter, Section root)
    {
        Path = path;
        FrontMatter = frontMatter;
        Root = root;
    }

    public string Path { get; }

    public Dictionary<string, string> FrontMatter { get; }

    public Section Root { get; }
}

/// <summary>
/// The small subset of markdown the reference is written in: front matter, ATX headings, paragraphs, "- "
/// and "1. " list items, fenced code, pipe tables and include comments. Anything else is plain paragraph text,
/// so a file renders the same on GitHub and in Get-Help.
/// </summary>
public static class Markdown
{
    private static readonly Regex Heading = new(@"^(#{1,6}) +(.+?) *#*$", RegexOptions.CultureInvariant);
    private static readonly Regex ListStart = new(@"^(?:[-*]|\d+\.) +", RegexOptions.CultureInvariant);
    private static readonly Regex IncludeComment = new(@"^<!--\s*include:\s*(\S+)\s*-->$", RegexOptions.CultureInvariant);
    private static readonly Regex Link = new(@"\[([^\]]+)\]\(([^)\s]+)\)", RegexOptions.CultureInvariant);

    public static MarkdownFile Parse(string path)
    {
        var lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n');
        var front = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        if (lines.Length > 0 && lines[0] == "---")
        {
            for (index = 1; index < lines.Length && lines[index] != "---"; index++)
            {
                var colon = lines[index].IndexOf(':');
                if (colon <= 0)
                {
                    throw new HelpFormatException(path, index + 1, "front matter lines are 'name: value'.");
                }

                front[lines[index].Substring(0, colon).Trim()] = lines[index].Substring(colon + 1).Trim();
            }

            if (index == lines.Length)
            {
                throw new HelpFormatException(path, 1, "the front matter has no closing '---'.");
            }

            index++;
        }

        var root = new Section(0, string.Empty, 1);
        var stack = new Stack<Section>();
        stack.Push(root);
        var pending = new StringBuilder();
        var pendingKind = BlockKind.Paragraph;
        var pendingLine = 0;

        void Flush()
        {
            if (pending.Length > 0)
            {
                stack.Peek().Blocks.Add(new Block(pendingKind, pending.ToString(), pendingLine));
                pending.Clear();
            }
        }

        void Start(BlockKind kind, string text, int line)
        {
            Flush();
            pendingKind = kind;
            pendingLine = line;
            pending.Append(text);
        }

        for (; index < lines.Length; index++)
        {
            var line = lines[index].TrimEnd();
            var number = index + 1;
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                var language = line.Substring(3).Trim();
                var code = new List<string>();
                for (index++; index < lines.Length && !lines[index].TrimEnd().StartsWith("```", StringComparison.Ordinal); index++)
                {
                    code.Add(lines[index].TrimEnd());
                }

                if (index == lines.Length)
                {
                    throw new HelpFormatException(path, number, "a code fence is not closed.");
                }

                stack.Peek().Blocks.Add(new Block(BlockKind.Code, string.Join("\n", code), number, language));
                continue;
            }

            var heading = Heading.Match(line);
            if (heading.Success)
            {
                Flush();
                var section = new Section(heading.Groups[1].Length, heading.Groups[2].Value, number);
                while (stack.Peek().Level >= section.Level)
                {
                    stack.Pop();
                }

                if (section.Level > stack.Peek().Level + 1)
                {
                    throw new HelpFormatException(path, number, $"heading level {section.Level} follows level {stack.Peek().Level}; do not skip levels.");
                }

                stack.Peek().Children.Add(section);
                stack.Push(section);
                continue;
            }

            if (line.Length == 0)
            {
                Flush();
                continue;
            }

            var include = IncludeComment.Match(line.Trim());
            if (include.Success)
            {
                Flush();
                stack.Peek().Blocks.Add(new Block(BlockKind.Include, include.Groups[1].Value, number));
                continue;
            }

            if (line.TrimStart().StartsWith("<!--", StringComparison.Ordinal))
            {
                // An authors' note: neither GitHub nor the help shows it.
                Flush();
                var opened = number;
                while (!lines[index].Contains("-->", StringComparison.Ordinal))
                {
                    if (++index == lines.Length)
                    {
                        throw new HelpFormatException(path, opened, "an HTML comment is not closed.");
                    }
                }

                continue;
            }

            if (line.StartsWith("|", StringComparison.Ordinal))
            {
                if (pendingKind == BlockKind.Table && pending.Length > 0)
                {
                    pending.Append('\n').Append(line);
                }
                else
                {
                    Start(BlockKind.Table, line, number);
                }

                continue;
            }

            if (ListStart.IsMatch(line))
            {
                Start(BlockKind.ListItem, line, number);
                continue;
            }

            if (pending.Length > 0 && pendingKind != BlockKind.Table)
            {
                pending.Append(' ').Append(line.Trim());
            }
            else
            {
                Start(BlockKind.Paragraph, line.TrimStart('>', ' '), number);
            }
        }

        Flush();
        return new MarkdownFile(path, front, root);
    }

    /// <summary>
    /// Markdown inline text as a console shows it: code spans keep their content without the backticks, bold
    /// marks go, a link becomes its text (plus the address when it leads off this repository).
    /// </summary>
    public static string Plain(string markdown)
    {
        var result = new StringBuilder();
        var parts = markdown.Split('`');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 1)
            {
                result.Append(parts[i]);
                continue;
            }

            var text = Link.Replace(parts[i], m =>
            {
                var label = m.Groups[1].Value;
                var target = m.Groups[2].Value;
                var external = target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal);
                return !external || label == target ? label : $"{label} ({target})";
            });
            result.Append(text.Replace("**", string.Empty).Replace("\\|", "|"));
        }

        return result.ToString();
    }

    /// <summary>A list item's marker ("- " or "1. ") and its text, for a hanging indent.</summary>
    public static (string Marker, string Text) SplitListItem(string item)
    {
        var marker = ListStart.Match(item);
        var bullet = item[0] == '-' || item[0] == '*' ? "- " : marker.Value;
        return (bullet, item.Substring(marker.Length));
    }
}
