using System.Text;

namespace ZulipAuth.HelpGen;

/// <summary>
/// Writes an about topic (en-US/about_X.help.txt) from docs/reference/about_X.md: the layout of PowerShell's
/// own about topics (TOPIC, then UPPER-CASE sections with text indented four spaces, wrapped at 80 columns).
/// A line <c>&lt;!-- include: ../security.md --&gt;</c> brings in another page, its title as a section, so the
/// help topic and the web pages are the same text.
/// </summary>
public static class AboutWriter
{
    private const int Width = 80;
    private const int Indent = 4;

    public static string Write(string path)
    {
        var file = Markdown.Parse(path);
        var topic = Path.GetFileNameWithoutExtension(path);
        if (file.Root.Children.Count != 1 || file.Root.Children[0].Title != topic)
        {
            throw new HelpFormatException(path, 1, $"an about topic has one '# {topic}' heading.");
        }

        var text = new StringBuilder();
        text.Append("TOPIC\n").Append(' ', Indent).Append(topic).Append("\n\n");
        var h1 = file.Root.Children[0];
        WriteBlocks(text, h1.Blocks, path);
        foreach (var section in h1.Children)
        {
            WriteSection(text, section, path, depth: 2);
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static void WriteSection(StringBuilder text, Section section, string path, int depth)
    {
        // Level 2 headings are the topic's sections; deeper ones are sub-headings inside the indented text.
        if (depth <= 2)
        {
            text.Append(Markdown.Plain(section.Title).ToUpperInvariant()).Append('\n');
        }
        else
        {
            text.Append(' ', Indent).Append(Markdown.Plain(section.Title)).Append('\n');
        }

        WriteBlocks(text, section.Blocks, path);
        foreach (var child in section.Children)
        {
            WriteSection(text, child, path, depth + 1);
        }
    }

    /// <summary>The blocks under a heading: a blank line between blocks, none between the items of a list, one after the last.</summary>
    private static void WriteBlocks(StringBuilder text, IEnumerable<Block> blocks, string path)
    {
        Block? previous = null;
        foreach (var block in blocks)
        {
            if (block.Kind == BlockKind.Include)
            {
                // An included page is a section of the topic of its own, wherever the include line stands.
                if (previous != null)
                {
                    text.Append('\n');
                }

                WriteInclude(text, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, block.Text)), path, block);
                previous = null;
                continue;
            }

            if (previous != null && !(previous.Kind == BlockKind.ListItem && block.Kind == BlockKind.ListItem))
            {
                text.Append('\n');
            }

            switch (block.Kind)
            {
                case BlockKind.Code:
                    foreach (var line in block.Text.Split('\n'))
                    {
                        text.Append(line.Length == 0 ? string.Empty : new string(' ', Indent * 2) + line).Append('\n');
                    }

                    break;
                case BlockKind.Table:
                    foreach (var line in block.Text.Split('\n').Where(l => l.Trim('|', '-', ':', ' ').Length > 0))
                    {
                        text.Append(' ', Indent).Append(Markdown.Plain(line)).Append('\n');
                    }

                    break;
                case BlockKind.ListItem:
                    var (marker, item) = Markdown.SplitListItem(block.Text);
                    text.Append(Wrap(Markdown.Plain(item), Indent, marker));
                    break;
                default:
                    text.Append(Wrap(Markdown.Plain(block.Text), Indent, string.Empty));
                    break;
            }

            previous = block;
        }

        if (previous != null)
        {
            text.Append('\n');
        }
    }

    /// <summary>An included page: its title becomes a section of the topic and its headings move one level down.</summary>
    private static void WriteInclude(StringBuilder text, string includedPath, string fromPath, Block include)
    {
        if (!File.Exists(includedPath))
        {
            throw new HelpFormatException(fromPath, include.Line, $"the included file '{include.Text}' does not exist.");
        }

        var included = Markdown.Parse(includedPath);
        if (included.Root.Children.Count != 1 || included.Root.Children[0].Level != 1)
        {
            throw new HelpFormatException(includedPath, 1, "an included page has one '# Title' heading.");
        }

        WriteSection(text, included.Root.Children[0], includedPath, depth: 2);
    }

    /// <summary>Word-wraps a paragraph; a marker ("- ") hangs in front of the first line.</summary>
    private static string Wrap(string paragraph, int indent, string marker)
    {
        var result = new StringBuilder();
        var line = new StringBuilder(new string(' ', indent) + marker);
        var start = line.Length;
        var hanging = new string(' ', indent + marker.Length);
        foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > start && line.Length + 1 + word.Length > Width)
            {
                result.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(hanging);
                start = line.Length;
            }

            if (line.Length > start)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        result.Append(line.ToString().TrimEnd()).Append('\n');
        return result.ToString();
    }
}
