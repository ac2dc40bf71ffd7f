using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// Every file of a generated corpus is read by the real python3 configparser exactly as python-zulip-api's
/// Client reads a zuliprc, and by ZulipAuth's reader; both must give the same values or both refuse. Where
/// ZulipAuth is deliberately different, the case says so and why, and the test requires that difference to
/// be there (so the list cannot go stale). python3 missing is a failure: the comparison is the point.
/// </summary>
public sealed class PythonDifferentialTests : IDisposable
{
    // What python-zulip-api's Client.__init__ does with a config file (zulip/__init__.py), with no argument or
    // variable given: ConfigParser() with its defaults, get() (BasicInterpolation) for each key, has_option()
    // for the optional ones, validate_boolean_field for insecure, then the site and TLS checks. The file is
    // opened as UTF-8 (the bindings use the locale's encoding, which is UTF-8 here and on any modern system).
    private const string Harness = """
        import json, os, sys
        from configparser import ConfigParser
        def read(path):
            config = ConfigParser()
            with open(path, encoding="utf-8") as f:
                config.read_file(f, path)
            api_key = config.get("api", "key")
            email = config.get("api", "email")
            site = config.get("api", "site") if config.has_option("api", "site") else None
            client_cert = config.get("api", "client_cert") if config.has_option("api", "client_cert") else None
            client_cert_key = config.get("api", "client_cert_key") if config.has_option("api", "client_cert_key") else None
            cert_bundle = config.get("api", "cert_bundle") if config.has_option("api", "cert_bundle") else None
            insecure = None
            if config.has_option("api", "insecure"):
                setting = config.get("api", "insecure").lower()
                insecure = True if setting == "true" else False if setting == "false" else None
                if insecure is None:
                    raise ValueError("insecure")
            if site is None:
                raise ValueError("MissingURLError")
            if site.startswith("localhost"):
                site = "http://" + site
            elif not site.startswith("http"):
                site = "https://" + site
            site = site.rstrip("/")
            if insecure is not True and cert_bundle is not None and not os.path.isfile(cert_bundle):
                raise ValueError("cert_bundle")
            if client_cert is None:
                if client_cert_key is not None:
                    raise ValueError("client_cert_key without client_cert")
            else:
                if not os.path.isfile(client_cert):
                    raise ValueError("client_cert")
                if client_cert_key is not None and not os.path.isfile(client_cert_key):
                    raise ValueError("client_cert_key")
            return {"ok": True, "email": email, "key": api_key, "site": site, "insecure": insecure,
                    "cert_bundle": cert_bundle, "client_cert": client_cert, "client_cert_key": client_cert_key}
        for name in sys.argv[1:]:
            try:
                result = read(name)
            except Exception as e:
                result = {"ok": False, "error": type(e).__name__}
            result["name"] = name
            print(json.dumps(result))
        """;

    private readonly string directory = Path.Combine(Path.GetTempPath(), "zulipauth-differential-" + Guid.NewGuid().ToString("N"));

    public PythonDifferentialTests()
    {
        Directory.CreateDirectory(directory);
        foreach (var name in new[] { "ca.pem", "client.pem", "client.key" })
        {
            File.WriteAllText(Path.Combine(directory, name), "-----BEGIN CERTIFICATE-----\n");
        }
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>One file of the corpus; <paramref name="Difference"/> is why ZulipAuth reads it differently, or null.</summary>
    public sealed record Case(string Name, byte[] Bytes, string? Difference = null);

    private const string Key = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    // The expected differences, each with its reason.
    private const string EmptyValue = "an empty email or key: Python accepts it and sends empty credentials; ZulipAuth refuses a file that cannot work";
    private const string NotAKey = "a key with spaces, line breaks or over 256 characters: Python accepts it; no Zulip key looks like that, so ZulipAuth refuses it (the hostile-input decisions)";
    private const string EmailLineBreak = "an email continued on a second line: Python keeps the line break; ZulipAuth refuses it, as it would forge a header line";
    private const string SiteNotUrl = "a site that is not the root URL of a server (a path, a query, a fragment, another scheme, no host, a line break): python-zulip-api builds a URL no request can use; ZulipAuth refuses it";
    private const string UpperScheme = "a scheme in capitals (HTTPS://): python-zulip-api only recognises lower-case 'http' and prepends https:// again; ZulipAuth reads the URL";
    private const string LocalhostPrefix = "a host that merely starts with 'localhost' (localhost.example.com): python-zulip-api sends the key there over plain http; ZulipAuth uses https:// for it";
    private const string HttpPrefix = "a host name starting with 'http' (httpbin.example.com): python-zulip-api takes it for a URL and adds no scheme; ZulipAuth adds https://";

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    private static string Rc(string email = "iago@zulip.com", string key = Key, string site = "https://chat.example.com", string extra = "") =>
        $"[api]\nemail={email}\nkey={key}\nsite={site}\n{extra}";

    public static List<Case> Corpus()
    {
        var cases = new List<Case>
        {
            new("plain", U(Rc())),
            new("colon delimiters", U($"[api]\nemail: iago@zulip.com\nkey: {Key}\nsite: https://chat.example.com\n")),
            new("spaces around delimiters", U($"[api]\nemail = iago@zulip.com\nkey   =   {Key}\nsite=  https://chat.example.com   \n")),
            new("first delimiter splits", U($"[api]\nemail:iago@zulip.com=x\nkey={Key}\nsite=https://chat.example.com\n")),
            new("comments", U($"# a\n; b\n[api]\n  # c\nemail=iago@zulip.com\n;key=wrong\nkey={Key}\nsite=https://chat.example.com\n")),
            new("inline ; is kept", U(Rc(email: "iago@zulip.com ; not a comment"))),
            new("upper-case keys", U($"[api]\nEMAIL=iago@zulip.com\nKey={Key}\nSite=https://chat.example.com\n")),
            new("section names are case-sensitive", U($"[API]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("spaces inside the brackets", U($"[ api ]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("text after the header", U($"[api] trailing\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("a bracket inside the header", U($"[api]x]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("empty header", U($"[]\n[api]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("header ]]", U($"[]]\n[api]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("indented header", U($"  [api]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("duplicate section", U(Rc() + "[api]\nfoo=bar\n")),
            new("duplicate key", U(Rc(extra: "EMAIL=other@zulip.com\n"))),
            new("duplicate key in another section", U(Rc(extra: "[zterm]\ntheme=a\ntheme=b\n"))),
            new("DEFAULT gives the site", U($"[DEFAULT]\nsite=https://chat.example.com\n[api]\nemail=iago@zulip.com\nkey={Key}\n")),
            new("DEFAULT gives the key", U($"[DEFAULT]\nkey={Key}\n[api]\nemail=iago@zulip.com\nsite=https://chat.example.com\n")),
            new("section overrides DEFAULT", U($"[DEFAULT]\nkey=wrong\n[api]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")),
            new("DEFAULT twice", U($"[DEFAULT]\na=1\n[api]\nemail=iago@zulip.com\nkey={Key}\n[DEFAULT]\nsite=https://chat.example.com\n")),
            new("DEFAULT twice with the same key", U($"[DEFAULT]\na=1\n[api]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\n[DEFAULT]\na=2\n")),
            new("lower-case default is a section", U($"[default]\nsite=https://chat.example.com\n[api]\nemail=iago@zulip.com\nkey={Key}\n")),
            new("CRLF", U(Rc().Replace("\n", "\r\n"))),
            new("CR only", U(Rc().Replace("\n", "\r"))),
            new("no final newline", U(Rc().TrimEnd('\n'))),
            new("BOM", new byte[] { 0xEF, 0xBB, 0xBF }.Concat(U(Rc())).ToArray()),
            new("UTF-16 LE with BOM", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Rc())).ToArray()),
            new("UTF-16 LE without BOM", Encoding.Unicode.GetBytes(Rc())),
            new("UTF-16 BE with BOM", Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(Rc())).ToArray()),
            new("Latin-1 byte in the email", U("[api]\nemail=j").Concat(new byte[] { 0xF6 }).Concat(U($"e@zulip.com\nkey={Key}\nsite=https://chat.example.com\n")).ToArray()),
            new("invalid UTF-8 in another section", U(Rc(extra: "[zterm]\nname=")).Concat(new byte[] { 0xC3, 0x28 }).Concat(U("\n")).ToArray()),
            new("UTF-8 email", U(Rc(email: "jöe@zulip.com"))),
            new("empty file", U(string.Empty)),
            new("only comments", U("# nothing\n")),
            new("setting before any section", U($"key={Key}\n" + Rc())),
            new("line without delimiter", U(Rc(extra: "oops\n"))),
            new("setting without a name", U(Rc(extra: "=value\n"))),
            new("missing email", U($"[api]\nkey={Key}\nsite=https://chat.example.com\n")),
            new("missing key", U("[api]\nemail=iago@zulip.com\nsite=https://chat.example.com\n")),
            new("missing site", U($"[api]\nemail=iago@zulip.com\nkey={Key}\n")),
            new("empty key", U(Rc(key: "")), EmptyValue),
            new("empty email", U(Rc(email: "")), EmptyValue),
            new("empty site", U(Rc(site: "")), SiteNotUrl),
            new("key with a space", U(Rc(key: "abc def")), NotAKey),
            new("key of 300 characters", U(Rc(key: new string('k', 300))), NotAKey),
            new("key continued", U(Rc(key: Key + "\n  more")), NotAKey),
            new("key continued after a blank line", U(Rc(key: Key + "\n\n  more")), NotAKey),
            new("key continued after a comment", U(Rc(key: Key + "\n# c\n  more")), NotAKey),
            new("email continued", U(Rc(email: "iago@zulip.com\n  x")), EmailLineBreak),
            new("trailing blank lines after a value", U($"[api]\nemail=iago@zulip.com\n\n\nkey={Key}\n\n\nsite=https://chat.example.com\n\n")),
            new("indented keys alike", U($"[api]\n  email=iago@zulip.com\n  key={Key}\n  site=https://chat.example.com\n")),
            new("deeper indent continues another key", U($"[api]\nemail=iago@zulip.com\nkey={Key}\nsite=https://chat.example.com\nnote=a\n  [zterm]\n  theme=x\n")),
            new("indented header continues our key", U($"[api]\nemail=iago@zulip.com\nsite=https://chat.example.com\nkey={Key}\n  [zterm]\n"), NotAKey),
            new("continuation of an unrelated key", U(Rc(extra: "token=abc\n  def\n\n  ghi\n"))),
            new("tab indentation", U($"[api]\n\temail=iago@zulip.com\n\tkey={Key}\n\tsite=https://chat.example.com\n")),
            new("NBSP around a value", U(Rc(email: "\u00a0iago@zulip.com\u00a0"))),
            new("0x1C around a value", U(Rc(email: "\u001ciago@zulip.com\u001c"))),
            new("zero-width space stays", U(Rc(email: "iago@zulip.com\u200b"))),
            new("other sections kept", U(Rc(extra: "[zterm]\ntheme=zt_dark\n[bot]\nkey=other\n"))),
            new("token in api", U(Rc(extra: "token=abcdef\n"))),
            new("%% in the email", U(Rc(email: "iago%%tag@zulip.com"))),
            new("lone % in the email", U(Rc(email: "iago%tag@zulip.com"))),
            new("% at the end", U(Rc(email: "iago@zulip.com%"))),
            new("%(name)s reference", U(Rc(email: "%(user)s@zulip.com", extra: "user=iago\n"))),
            new("%(NAME)s reference is case-insensitive", U(Rc(email: "%(USER)s@zulip.com", extra: "user=iago\n"))),
            new("reference to DEFAULT", U("[DEFAULT]\nhost=chat.example.com\n" + Rc(site: "https://%(host)s"))),
            new("nested references", U(Rc(email: "%(a)s", extra: "a=%(b)s\nb=iago@zulip.com\n"))),
            new("reference loop", U(Rc(email: "%(a)s", extra: "a=%(email)s\n"))),
            new("ten levels deep", U(Rc(email: "%(l1)s", extra: string.Concat(Enumerable.Range(1, 9).Select(i => $"l{i}=%(l{i + 1})s\n")) + "l10=iago@zulip.com\n"))),
            new("eleven levels deep", U(Rc(email: "%(l1)s", extra: string.Concat(Enumerable.Range(1, 10).Select(i => $"l{i}=%(l{i + 1})s\n")) + "l11=iago@zulip.com\n"))),
            new("reference to a missing key", U(Rc(email: "%(nobody)s@zulip.com"))),
            new("%( without )s", U(Rc(email: "%(user@zulip.com", extra: "user=iago\n"))),
            new("%()s", U(Rc(email: "%()s@zulip.com"))),
            new("%(user)d", U(Rc(email: "%(user)d@zulip.com", extra: "user=iago\n"))),
            new("% in another section is not read", U(Rc(extra: "[zterm]\nformat=100%\n"))),
            new("% in an unread api key", U(Rc(extra: "note=100%\n"))),
            new("insecure true", U(Rc(extra: "insecure=true\n"))),
            new("insecure TRUE", U(Rc(extra: "insecure=TRUE\n"))),
            new("insecure False", U(Rc(extra: "insecure=False\n"))),
            new("insecure yes", U(Rc(extra: "insecure=yes\n"))),
            new("insecure 1", U(Rc(extra: "insecure=1\n"))),
            new("insecure empty", U(Rc(extra: "insecure=\n"))),
            new("insecure from DEFAULT", U("[DEFAULT]\ninsecure=true\n" + Rc())),
            new("cert_bundle relative", U(Rc(extra: "cert_bundle=ca.pem\n"))),
            new("cert_bundle missing", U(Rc(extra: "cert_bundle=nothing.pem\n"))),
            new("cert_bundle is a folder", U(Rc(extra: "cert_bundle=.\n"))),
            new("cert_bundle missing but insecure", U(Rc(extra: "insecure=true\ncert_bundle=nothing.pem\n"))),
            new("client_cert", U(Rc(extra: "client_cert=client.pem\n"))),
            new("client_cert and key", U(Rc(extra: "client_cert=client.pem\nclient_cert_key=client.key\n"))),
            new("client_cert missing", U(Rc(extra: "client_cert=nothing.pem\n"))),
            new("client_cert_key missing", U(Rc(extra: "client_cert=client.pem\nclient_cert_key=nothing.key\n"))),
            new("client_cert_key alone", U(Rc(extra: "client_cert_key=client.key\n"))),
            new("all TLS keys", U(Rc(extra: "insecure=false\ncert_bundle=ca.pem\nclient_cert=client.pem\nclient_cert_key=client.key\n"))),
            new("bare host", U(Rc(site: "chat.example.com"))),
            new("bare host with slash", U(Rc(site: "chat.example.com/"))),
            new("trailing slashes", U(Rc(site: "https://chat.example.com///"))),
            new("http", U(Rc(site: "http://chat.example.com"))),
            new("port", U(Rc(site: "https://chat.example.com:8443"))),
            new("bare host with port", U(Rc(site: "chat.example.com:8443"))),
            new("localhost", U(Rc(site: "localhost"))),
            new("localhost with port", U(Rc(site: "localhost:9991"))),
            new("https localhost", U(Rc(site: "https://localhost:9991/"))),
            new("/api suffix", U(Rc(site: "https://chat.example.com/api"))),
            new("/api/ suffix", U(Rc(site: "https://chat.example.com/api/"))),
            new("IPv4", U(Rc(site: "127.0.0.1:9991"))),
            new("IPv6", U(Rc(site: "https://[::1]:9991"))),
            new("site with a path", U(Rc(site: "https://chat.example.com/zulip")), SiteNotUrl),
            new("site with a query", U(Rc(site: "https://chat.example.com/?x=1")), SiteNotUrl),
            new("site with a fragment", U(Rc(site: "https://chat.example.com#top")), SiteNotUrl),
            new("site https:// alone", U(Rc(site: "https://")), SiteNotUrl),
            new("site ftp://", U(Rc(site: "ftp://chat.example.com")), SiteNotUrl),
            new("site continued", U(Rc(site: "https://chat.example.com\n  more")), SiteNotUrl),
            new("site HTTPS://", U(Rc(site: "HTTPS://chat.example.com")), UpperScheme),
            new("site localhost.example.com", U(Rc(site: "localhost.example.com")), LocalhostPrefix),
            new("site httpbin.example.com", U(Rc(site: "httpbin.example.com")), HttpPrefix),
        };

        cases.AddRange(Generated(160));
        return cases;
    }

    /// <summary>Seeded random files mixing the structural features above, with values that both readers accept.</summary>
    private static IEnumerable<Case> Generated(int count)
    {
        var random = new Random(20240612);
        string Pick(params string[] options) => options[random.Next(options.Length)];
        for (var n = 0; n < count; n++)
        {
            var newline = Pick("\n", "\n", "\r\n", "\r");
            var lines = new List<string>();
            void Noise()
            {
                switch (random.Next(6))
                {
                    case 0: lines.Add(Pick("# comment", "; comment", "   # indented", "")); break;
                    case 1: lines.Add(""); break;
                }
            }

            void Section(string name, IEnumerable<(string Key, string Value)> options, string indent)
            {
                Noise();
                lines.Add(Pick("", "", " ") + "[" + name + "]" + Pick("", "", " ; note"));
                foreach (var (key, value) in options)
                {
                    Noise();
                    var shown = random.Next(4) == 0 ? key.ToUpperInvariant() : key;
                    lines.Add(indent + shown + Pick("=", ":", " = ", " : ", "\t=\t") + value + Pick("", "", " ", "\t"));
                    if (!ZulipRcFile.OwnKeys.Contains(key) && key != "user" && random.Next(3) == 0)
                    {
                        lines.Add(indent + "    continued " + random.Next(100));
                    }
                }
            }

            var own = new List<(string, string)>();
            var email = Pick("iago@zulip.com", "a.b+c@example.org", "%(user)s@example.com", "x%%y@example.com");
            if (random.Next(12) != 0)
            {
                own.Add(("email", email));
            }

            if (random.Next(12) != 0)
            {
                own.Add(("key", new string(Enumerable.Range(0, 32).Select(_ => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[random.Next(62)]).ToArray())));
            }

            if (random.Next(12) != 0)
            {
                own.Add(("site", Pick("https://chat.example.com", "chat.example.com", "localhost:9991", "https://chat.example.com/", "http://10.0.0.1:8080")));
            }

            if (random.Next(4) == 0)
            {
                own.Add(("insecure", Pick("true", "false", "True", "maybe")));
            }

            if (random.Next(5) == 0)
            {
                own.Add(("cert_bundle", Pick("ca.pem", "missing.pem")));
            }

            if (random.Next(6) == 0)
            {
                own.Add(("client_cert", Pick("client.pem", "missing.pem")));
            }

            if (random.Next(6) == 0)
            {
                own.Add(("client_cert_key", "client.key"));
            }

            var extra = new List<(string, string)> { ("user", "iago") };
            if (random.Next(2) == 0)
            {
                extra.Add(("token", "t" + random.Next(1000)));
            }

            if (random.Next(8) == 0)
            {
                extra.Add(("email", "dup@example.com")); // a duplicate when email is also present
            }

            var api = own.Concat(extra).OrderBy(_ => random.Next()).ToList();
            var before = random.Next(3) == 0;
            if (before)
            {
                Section(Pick("zterm", "bot", "DEFAULT"), new[] { ("theme", "zt_dark"), ("note", "100%%") }, "");
            }

            Section(random.Next(25) == 0 ? Pick("API", "api ", "api]x") : "api", api, Pick("", "", "  "));
            if (random.Next(2) == 0)
            {
                Section(Pick("zterm", "bot", "other"), new[] { ("key", "other"), ("format", "100%") }, "");
            }

            if (random.Next(20) == 0)
            {
                lines.Insert(0, "orphan=1");
            }

            var text = string.Join(newline, lines) + (random.Next(5) == 0 ? "" : newline);
            yield return new Case($"generated {n}", U(text));
        }
    }

    [Fact]
    public void ZulipAuthReadsEveryFileAsPythonDoesExceptForTheListedDifferences()
    {
        var corpus = Corpus();
        Assert.True(corpus.Count >= 200, $"corpus of {corpus.Count}");
        var names = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var name = $"case{i:D3}.rc";
            File.WriteAllBytes(Path.Combine(directory, name), corpus[i].Bytes);
            names.Add(name);
        }

        var python = RunPython(names);
        var failures = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var theirs = python[names[i]];
            var ours = ReadLikeImportZulipRc(corpus[i].Bytes);
            var agree = Agree(theirs, ours, out var detail);
            var expected = corpus[i].Difference;
            if (expected == null && !agree)
            {
                failures.Add($"{corpus[i].Name}: {detail}\n    {Escape(corpus[i].Bytes)}");
            }
            else if (expected != null && agree)
            {
                failures.Add($"{corpus[i].Name}: listed as a difference ({expected}) but both read it alike; remove it from the list");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} files read differently:\n" + string.Join("\n", failures));
    }

    /// <summary>What Import-ZulipRc does with the bytes: decode, read, normalise the site; null values mean "refused".</summary>
    private (Dictionary<string, string?>? Values, string? Refusal) ReadLikeImportZulipRc(byte[] bytes)
    {
        try
        {
            var settings = ZulipRcFile.Read(ZulipRcFile.Decode(bytes), p => Path.GetFullPath(Path.Combine(directory, p)));
            var server = ServerAddress.Normalize(ZulipRcFile.NormalizeSite(settings.Site));
            return (new Dictionary<string, string?>
            {
                ["email"] = settings.Email,
                ["key"] = settings.Key,
                ["server"] = server.AbsoluteUri,
                ["insecure"] = settings.Insecure?.ToString().ToLowerInvariant(),
                ["cert_bundle"] = settings.CertificateBundle,
                ["client_cert"] = settings.ClientCertificate,
                ["client_cert_key"] = settings.ClientCertificateKey,
            }, null);
        }
        catch (Exception e) when (e is FormatException || e is ZulipApiException)
        {
            return (null, e.Message);
        }
    }

    private bool Agree(JsonElement theirs, (Dictionary<string, string?>? Values, string? Refusal) ours, out string detail)
    {
        var pythonReads = theirs.GetProperty("ok").GetBoolean();
        if (!pythonReads || ours.Values == null)
        {
            detail = pythonReads ? $"Python reads it; ZulipAuth refuses: {ours.Refusal}" : ours.Values == null ? "both refuse" : $"Python refuses ({theirs.GetProperty("error").GetString()}); ZulipAuth reads it";
            return pythonReads == (ours.Values != null);
        }

        string? Their(string name) => theirs.GetProperty(name).ValueKind == JsonValueKind.Null ? null : theirs.GetProperty(name).ValueKind switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => theirs.GetProperty(name).GetString(),
        };

        string? FullPath(string? path) => path == null ? null : Path.GetFullPath(Path.Combine(directory, path));

        // python-zulip-api appends /api unless the site ends with it; ZulipAuth's server is the root either way.
        var site = Their("site")!;
        site = site.EndsWith("/api", StringComparison.Ordinal) ? site[..^4] : site;
        var theirServer = Uri.TryCreate(site + "/", UriKind.Absolute, out var uri) ? uri.AbsoluteUri : "(not a URL) " + site;
        var pairs = new (string Name, string? Python, string? Ours)[]
        {
            ("email", Their("email"), ours.Values["email"]),
            ("key", Their("key"), ours.Values["key"]),
            ("server", theirServer, ours.Values["server"]),
            ("insecure", Their("insecure"), ours.Values["insecure"]),
            ("cert_bundle", FullPath(Their("cert_bundle")), ours.Values["cert_bundle"]),
            ("client_cert", FullPath(Their("client_cert")), ours.Values["client_cert"]),
            ("client_cert_key", FullPath(Their("client_cert_key")), ours.Values["client_cert_key"]),
        };
        var different = pairs.Where(p => p.Python != p.Ours).Select(p => $"{p.Name}: Python '{p.Python}', ZulipAuth '{p.Ours}'").ToList();
        detail = string.Join("; ", different);
        return different.Count == 0;
    }

    private Dictionary<string, JsonElement> RunPython(List<string> names)
    {
        var start = new ProcessStartInfo("python3") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-I");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Harness);
        names.ForEach(start.ArgumentList.Add);
        start.Environment["PYTHONUTF8"] = "1";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"python3 is needed for the differential test against configparser and could not be started: {e.Message}");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("python3 did not read the corpus within 60 s");
            }

            Assert.True(process.ExitCode == 0, "python3 failed: " + error.Result);
            var results = new Dictionary<string, JsonElement>();
            foreach (var line in output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var element = JsonDocument.Parse(line).RootElement.Clone();
                results[element.GetProperty("name").GetString()!] = element;
            }

            Assert.Equal(names.Count, results.Count);
            return results;
        }
    }

    private static string Escape(byte[] bytes) =>
        string.Concat(bytes.Select(b => b >= 0x20 && b < 0x7F ? ((char)b).ToString() : b == '\n' ? "\\n" : $"\\x{b:x2}"));
}
