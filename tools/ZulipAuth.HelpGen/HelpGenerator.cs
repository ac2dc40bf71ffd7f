namespace ZulipAuth.HelpGen;

/// <summary>What ships in en-US/, computed from docs/: the build writes it, the tests recompute it to prove it current.</summary>
public static class HelpGenerator
{
    public const string MamlFileName = "ZulipAuth.dll-Help.xml";

    /// <summary>File name → content, for every help file the module ships.</summary>
    public static IReadOnlyDictionary<string, string> Generate(string docsDirectory)
    {
        var reference = Path.Combine(docsDirectory, "reference");
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [MamlFileName] = MamlWriter.Write(CmdletReference.ReadAll(reference)),
        };

        foreach (var about in Directory.GetFiles(reference, "about_*.md").OrderBy(f => f, StringComparer.Ordinal))
        {
            files[Path.GetFileNameWithoutExtension(about) + ".help.txt"] = AboutWriter.Write(about);
        }

        return files;
    }
}
