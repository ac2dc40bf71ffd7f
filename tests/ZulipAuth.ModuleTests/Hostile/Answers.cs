using System.IO.Compression;
using System.Text;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>Ready-made hostile answers, as responders.</summary>
public static class Answers
{
    public const string Key = "\"" + IssuedKey + "\"";
    public const string MailJson = "\"" + Email + "\"";

    public static Responder Json(int status, string body, params string[] headers) => (_, w) => w.RespondAsync(status, body, "application/json", headers);

    public static Responder Bytes(int status, byte[] body, params string[] headers) => (_, w) => w.RespondAsync(status, body, "application/json", headers);

    /// <summary>Exactly these bytes on the wire, then the connection closes.</summary>
    public static Responder Raw(string text) => (_, w) => w.WriteAsync(Encoding.UTF8.GetBytes(text));

    public static Responder Raw(byte[] bytes) => (_, w) => w.WriteAsync(bytes);

    /// <summary>A fetch_api_key success with these members instead of the usual api_key/email/user_id.</summary>
    public static string Fetch(string members) => "{\"result\":\"success\",\"msg\":\"\"," + members + "}";

    public static string FetchWith(string apiKey = Key, string email = MailJson, string userId = "11", string extra = "") =>
        Fetch($"\"api_key\":{apiKey},\"email\":{email},\"user_id\":{userId}{extra}");

    public static string UsersMe(string userId = "11", string extra = "") =>
        "{\"result\":\"success\",\"msg\":\"\",\"user_id\":" + userId + ",\"email\":" + MailJson + ",\"full_name\":\"H\"" + extra + "}";

    public static string ZulipError(string msg, string code = "BAD_REQUEST", string extra = "") =>
        "{\"result\":\"error\",\"msg\":" + Quote(msg) + ",\"code\":\"" + code + "\"" + extra + "}";

    /// <summary>n arrays inside each other, as one member value.</summary>
    public static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    public static string NestedObjects(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Deflate(byte[] data)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Brotli(byte[] data)
    {
        var output = new MemoryStream();
        using (var b = new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            b.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A JSON success document that decompresses to about <paramref name="megabytes"/> MiB (padding in one string member).</summary>
    public static byte[] Bomb(int megabytes, Func<byte[], byte[]> compress)
    {
        var head = Encoding.ASCII.GetBytes("{\"result\":\"success\",\"msg\":\"\",\"api_key\":" + Key + ",\"email\":" + MailJson + ",\"pad\":\"");
        var tail = Encoding.ASCII.GetBytes("\"}");
        var pad = new byte[megabytes * 1024 * 1024];
        Array.Fill(pad, (byte)'a');
        return compress(head.Concat(pad).Concat(tail).ToArray());
    }

    public static readonly byte[] Garbage = Enumerable.Range(0, 512).Select(i => (byte)((i * 73 + 41) % 251)).ToArray();

    /// <summary>Echoes the request body (username=...&amp;password=...) or the Authorization header back in msg.</summary>
    public static Responder Echo(int status, Func<HostileRequest, string> pick, string code = "BAD_REQUEST", params string[] headers) =>
        (r, w) => w.RespondAsync(status, ZulipError(pick(r), code), "application/json", headers);

    /// <summary>The password as the request carried it, decoded from the form.</summary>
    public static string FormValue(HostileRequest r, string name) =>
        r.Body.Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p[1].Replace('+', ' '))).FirstOrDefault() ?? string.Empty;

    public static string RawFormValue(HostileRequest r, string name) =>
        r.Body.Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => p[1]).FirstOrDefault() ?? string.Empty;

    public static string BasicOf(HostileRequest r) => (r.Header("authorization") ?? string.Empty).Replace("Basic ", string.Empty, StringComparison.Ordinal);

    public static string KeyOf(HostileRequest r) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(BasicOf(r))).Split(':', 2) is { Length: 2 } parts ? parts[1] : string.Empty;
}
