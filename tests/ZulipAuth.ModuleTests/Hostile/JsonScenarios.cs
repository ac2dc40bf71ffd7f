using System.Text;
using static ZulipAuth.ModuleTests.Hostile.Answers;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>Answers that are JSON (or almost): wrong types, wrong roots, bad encodings, depth and numbers.</summary>
public static class JsonScenarios
{
    private const string Unexpected = "ZulipUnexpectedResponse";
    private const string Types = "JSON: wrong type of a required field";
    private const string Depth = "JSON: deeper than 64 / invalid UTF-8 / not an object / overflow";
    private const string KeyShape = "api_key over 256 chars or not printable ASCII";

    private static HostileCase FetchAnswer(string name, string body, string decision, string? errorId = Unexpected) =>
        new(name, HostileCommand.GetKey, errorId, decision, s => s.On("POST", FetchPath, Json(200, body)))
        {
            Verify = (s, _, _) => Assert.Equal(1, s.Posts),
        };

    private static HostileCase FetchBytes(string name, byte[] body, string decision, string? errorId = Unexpected) =>
        new(name, HostileCommand.GetKey, errorId, decision, s => s.On("POST", FetchPath, Bytes(200, body)));

    private static HostileCase SettingsAnswer(string name, string body, string decision, string? errorId = Unexpected) =>
        new(name, HostileCommand.Settings, errorId, decision, s => s.On("GET", SettingsPath, Json(200, body)));

    private static HostileCase UsersMeAnswer(string name, string body, string decision, string? errorId = Unexpected) =>
        new(name, HostileCommand.TestKey, errorId, decision, s => s.On("GET", UsersMePath, Json(200, body)));

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Splice(string before, byte[] middle, string after) => Utf8(before).Concat(middle).Concat(Utf8(after)).ToArray();

    public static IEnumerable<HostileCase> All()
    {
        // Wrong types of the fields the key is built from.
        yield return FetchAnswer("api_key is a number", FetchWith(apiKey: "12345678901234567890123456789012"), Types);
        yield return FetchAnswer("api_key is an array", FetchWith(apiKey: "[\"a\",\"b\"]"), Types);
        yield return FetchAnswer("api_key is null", FetchWith(apiKey: "null"), Types);
        yield return FetchAnswer("api_key is an object", FetchWith(apiKey: "{\"k\":\"v\"}"), Types);
        yield return FetchAnswer("api_key is true", FetchWith(apiKey: "true"), Types);
        yield return FetchAnswer("api_key is empty", FetchWith(apiKey: "\"\""), Types);
        yield return FetchAnswer("api_key is 70,000 characters", FetchWith(apiKey: "\"" + new string('k', 70_000) + "\""), KeyShape);
        yield return FetchAnswer("api_key is 300 characters", FetchWith(apiKey: "\"" + new string('k', 300) + "\""), KeyShape);
        yield return FetchAnswer("api_key has a space", FetchWith(apiKey: "\"abcd efgh\""), KeyShape);
        yield return FetchAnswer("api_key has CR LF", FetchWith(apiKey: "\"abcd\\r\\nX-Header: 1\""), KeyShape);
        yield return FetchAnswer("api_key has a NUL", FetchWith(apiKey: "\"abcd\\u0000efgh\""), KeyShape);
        yield return FetchAnswer("api_key has ESC", FetchWith(apiKey: "\"abcd\\u001b[2Jefgh\""), KeyShape);
        yield return FetchAnswer("api_key is Cyrillic", FetchWith(apiKey: "\"ключключключключ\""), KeyShape);
        yield return FetchAnswer("api_key is a lone surrogate", FetchWith(apiKey: "\"abc\\ud800def\""), KeyShape);
        yield return FetchAnswer("user_id is a string", FetchWith(userId: "\"11\""), Types);
        yield return FetchAnswer("user_id is huge", FetchWith(userId: "99999999999999999999999999"), Types);
        yield return FetchAnswer("user_id is 2^31", FetchWith(userId: "2147483648"), Types);
        yield return FetchAnswer("user_id is negative", FetchWith(userId: "-5"), Types);
        yield return FetchAnswer("user_id is a float", FetchWith(userId: "1.5"), Types);
        yield return FetchAnswer("user_id is 1e400", FetchWith(userId: "1e400"), Depth);
        yield return FetchAnswer("user_id is an array", FetchWith(userId: "[11]"), Types);
        yield return FetchAnswer("email is missing", Fetch($"\"api_key\":{Key},\"user_id\":11"), Types);
        yield return FetchAnswer("email is empty", FetchWith(email: "\"\""), Types);
        yield return FetchAnswer("email has CR LF", FetchWith(email: "\"a@example.com\\r\\nVERBOSE: forged\""), Types);
        yield return FetchAnswer("email is a number", FetchWith(email: "42"), Types);
        yield return FetchAnswer("email is null", FetchWith(email: "null"), Types);

        // Roots that are not an object, and documents that are not JSON.
        yield return FetchAnswer("root is an array", "[{\"result\":\"success\",\"api_key\":" + Key + "}]", Depth);
        yield return FetchAnswer("root is a string", "\"success\"", Depth);
        yield return FetchAnswer("root is a number", "42", Depth);
        yield return FetchAnswer("root is null", "null", Depth);
        // Found by the JSON property: the framework's reader throws IndexOutOfRangeException on these.
        yield return FetchAnswer("a string then closing brackets", "\"a\"]]]]", Depth);
        yield return SettingsAnswer("settings: a string then closing brackets", "\"a\"]]]]", Depth);
        yield return FetchAnswer("empty 200 body", string.Empty, Depth);
        yield return FetchAnswer("truncated JSON with a true length", "{\"result\":\"success\",\"api_key\":\"abc", Depth);
        yield return FetchAnswer("trailing garbage after the object", FetchWith() + " trailing", Depth);
        // main reads the first document and ignores the rest; no decision changes that.
        yield return FetchAnswer("two objects", FetchWith() + FetchWith(), "main", null);
        yield return FetchAnswer("200 with result error", ZulipError("Your account is fine, trust me"), "main", "ZulipRequestRejected");
        yield return FetchAnswer("200 without result", "{\"api_key\":" + Key + ",\"email\":" + MailJson + "}", "main");

        // Encodings.
        yield return FetchBytes("invalid UTF-8 in api_key", Splice("{\"result\":\"success\",\"msg\":\"\",\"api_key\":\"ab", [0xC3, 0x28], "cd\",\"email\":" + MailJson + ",\"user_id\":11}"), Depth);
        yield return FetchBytes("overlong UTF-8 slash", Splice("{\"result\":\"success\",\"msg\":\"", [0xC0, 0xAF], "\",\"api_key\":" + Key + ",\"email\":" + MailJson + ",\"user_id\":11}"), Depth);
        yield return FetchBytes("UTF-8 surrogate bytes", Splice("{\"result\":\"success\",\"msg\":\"", [0xED, 0xA0, 0x80], "\",\"api_key\":" + Key + ",\"email\":" + MailJson + ",\"user_id\":11}"), Depth);
        yield return FetchBytes("stray 0xFF", Splice("{\"result\":\"success\",\"msg\":\"", [0xFF, 0xFE], "\",\"api_key\":" + Key + ",\"email\":" + MailJson + ",\"user_id\":11}"), Depth);
        yield return FetchBytes("raw NUL byte between members", Splice("{\"result\":\"success\",", [0x00], "\"api_key\":" + Key + ",\"email\":" + MailJson + ",\"user_id\":11}"), "main", null);
        // RFC 8259 lets a parser refuse a byte order mark; main does, and Zulip never sends one.
        yield return FetchBytes("UTF-8 BOM before a good answer", new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8(FetchWith())).ToArray(), "main");

        // Depth and numbers (the 20,000-level document runs in a child process: see HostileChildProcessTests).
        yield return FetchAnswer("arrays 100 deep in an extra member", FetchWith(extra: ",\"x\":" + Nested(100)), Depth);
        yield return FetchAnswer("objects 65 deep in an extra member", FetchWith(extra: ",\"x\":" + NestedObjects(65)), Depth);
        yield return FetchAnswer("arrays 1,000 deep in an extra member", FetchWith(extra: ",\"x\":" + Nested(1000)), Depth);
        yield return FetchAnswer("arrays 64 deep are fine", FetchWith(extra: ",\"x\":" + Nested(60)), Depth, null);
        yield return FetchAnswer("user_id with 5,000 digits", FetchWith(userId: new string('9', 5000)), Depth);

        // server_settings answers.
        yield return SettingsAnswer("settings root is an array", "[" + SettingsJson("http://127.0.0.1") + "]", Depth);
        yield return SettingsAnswer("settings 100 deep", SettingsJson("http://127.0.0.1", extra: ",\"x\":" + Nested(100)), Depth);
        yield return SettingsAnswer("settings authentication_methods is a string", "{\"result\":\"success\",\"msg\":\"\",\"authentication_methods\":\"password\",\"zulip_version\":\"10.0\"}", "main");
        yield return SettingsAnswer("settings zulip_version is a number", "{\"result\":\"success\",\"msg\":\"\",\"authentication_methods\":{\"password\":true},\"zulip_version\":10}", "main");
        yield return SettingsAnswer("settings zulip_feature_level 1e309", SettingsJson("http://127.0.0.1").Replace("\"zulip_feature_level\":300", "\"zulip_feature_level\":1e309"), Depth);
        yield return new HostileCase("settings invalid UTF-8", HostileCommand.Settings, Unexpected, Depth,
            s => s.On("GET", SettingsPath, Bytes(200, Splice("{\"result\":\"success\",\"realm_name\":\"", [0xC3, 0x28, 0xFF], "\"}"))));
        yield return SettingsAnswer("settings is HTML-looking text with JSON type", "<html>not json</html>", "main");

        // users/me answers to Test-ZulipApiKey.
        yield return UsersMeAnswer("users/me user_id is a string", UsersMe(userId: "\"11\""), Types);
        yield return UsersMeAnswer("users/me user_id is missing", "{\"result\":\"success\",\"msg\":\"\",\"email\":" + MailJson + "}", "main");
        yield return UsersMeAnswer("users/me root is an array", "[" + UsersMe() + "]", Depth);
        yield return UsersMeAnswer("users/me 100 deep", UsersMe(extra: ",\"x\":" + Nested(100)), Depth);
        yield return UsersMeAnswer("users/me user_id 1e309", UsersMe(userId: "1e309"), Depth);
    }
}
