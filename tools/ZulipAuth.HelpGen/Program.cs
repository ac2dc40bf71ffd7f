using System.Text;
using ZulipAuth.HelpGen;

// ZulipAuth.HelpGen <docs folder> <output folder>: writes the module's en-US help files. A mistake in the
// markdown is printed as "file(line): error HELP001: ..." (MSBuild shows it as a build error) and exits 1.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ZulipAuth.HelpGen <docs folder> <output folder>");
    return 2;
}

try
{
    var files = HelpGenerator.Generate(args[0]);
    Directory.CreateDirectory(args[1]);
    foreach (var stale in Directory.GetFiles(args[1]).Where(f => !files.ContainsKey(Path.GetFileName(f))))
    {
        File.Delete(stale);
    }

    foreach (var (name, content) in files)
    {
        // A BOM, so that Windows PowerShell 5.1 reads the about topic as UTF-8 rather than the ANSI code page.
        File.WriteAllText(Path.Combine(args[1], name), content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
    }

    Console.WriteLine($"ZulipAuth.HelpGen: {files.Count} help files in {args[1]}");
    return 0;
}
catch (HelpFormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
