using System.Globalization;
using System.Management.Automation;
using static ZulipAuth.ModuleTests.Hostile.Answers;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// What the server says: error answers and their retries, Retry-After values, the secrets echoed back, and
/// control, escape and bidi characters in the text that reaches a stream.
/// </summary>
public static class ServerTextScenarios
{
    private const string Echo = "a secret echoed in server text";
    private const string Controls = "server text with controls";
    private const string RetryAfter = "Retry-After NaN/negative/unparseable/missing; 1e309/huge";
    private const string Retries = "retries of a password request";

    private static HostileCase Post(string name, string? errorId, string decision, Responder answer, string extra = "", Action<HostileServer, PsResult, TimeSpan>? verify = null, double max = 8) =>
        new(name, HostileCommand.GetKey, errorId, decision, s => s.On("POST", FetchPath, answer)) { Extra = extra, Verify = verify, MaxSeconds = max };

    private static HostileCase Me(string name, string? errorId, string decision, Responder answer, bool? verdict = null) =>
        new(name, HostileCommand.TestKey, errorId, decision, s => s.On("GET", UsersMePath, answer)) { Verdict = verdict };

    private static void ExactlyOnePost(HostileServer s, PsResult r, TimeSpan t) => Assert.Equal(1, s.Posts);

    private static HostileCase RateLimited(string name, string retryAfter, bool retried)
    {
        var headers = retryAfter.Length == 0 ? Array.Empty<string>() : new[] { "Retry-After: " + retryAfter };
        return Post(name, "ZulipRateLimited", RetryAfter, Json(429, ZulipError("API usage exceeded rate limit", "RATE_LIMIT_HIT"), headers),
            "-MaximumRetryCount 1 -RetryIntervalSec 1", (s, r, elapsed) =>
            {
                Assert.Equal(retried ? 2 : 1, s.Posts);
                if (retried)
                {
                    Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {elapsed}, sooner than -RetryIntervalSec 1");
                }
                else
                {
                    Assert.True(elapsed < TimeSpan.FromSeconds(3), $"a wait of over 10 minutes must be reported at once, took {elapsed}");
                }
            });
    }

    private static HostileCase RateLimitedBody(string name, string retryAfterJson, bool retried) =>
        Post(name, "ZulipRateLimited", RetryAfter, Json(429, ZulipError("API usage exceeded rate limit", "RATE_LIMIT_HIT", ",\"retry-after\":" + retryAfterJson)),
            "-MaximumRetryCount 1 -RetryIntervalSec 1", (s, _, _) => Assert.Equal(retried ? 2 : 1, s.Posts));

    public static IEnumerable<HostileCase> All()
    {
        // Error answers that must not make the password go out twice.
        yield return Post("401 with code RATE_LIMIT_HIT is never retried", "ZulipRateLimited", Retries, Json(401, ZulipError("Rate limited", "RATE_LIMIT_HIT"), "Retry-After: 1"), "-MaximumRetryCount 3 -RetryIntervalSec 1", ExactlyOnePost);
        yield return Post("401 wrong password, retries asked", "ZulipAuthenticationFailed", Retries, Json(401, ZulipError("Your username or password is incorrect", "AUTHENTICATION_FAILED")), "-MaximumRetryCount 3 -RetryIntervalSec 1", ExactlyOnePost);
        yield return Post("403 with Retry-After, retries asked", "ZulipRequestRejected", Retries, Json(403, ZulipError("Forbidden"), "Retry-After: 1"), "-MaximumRetryCount 3 -RetryIntervalSec 1", ExactlyOnePost);
        yield return Post("400 with code RATE_LIMIT_HIT", "ZulipRateLimited", Retries, Json(400, ZulipError("slow down", "RATE_LIMIT_HIT")), "-MaximumRetryCount 3 -RetryIntervalSec 1", ExactlyOnePost);

        // Retry-After.
        yield return RateLimited("Retry-After NaN", "NaN", retried: true);
        yield return RateLimited("Retry-After negative", "-5", retried: true);
        yield return RateLimited("Retry-After unparseable", "soon", retried: true);
        yield return RateLimited("Retry-After missing", string.Empty, retried: true);
        yield return RateLimited("Retry-After a date in the past", "Wed, 21 Oct 2015 07:28:00 GMT", retried: true);
        yield return RateLimited("Retry-After 1e309", "1e309", retried: false);
        yield return RateLimited("Retry-After Infinity", "Infinity", retried: false);
        yield return RateLimited("Retry-After 99999999999999999999", "99999999999999999999", retried: false);
        yield return RateLimited("Retry-After one day", "86400", retried: false);
        yield return RateLimitedBody("retry-after in the body NaN-like string", "\"NaN\"", retried: true);
        yield return RateLimitedBody("retry-after in the body negative", "-3", retried: true);
        yield return RateLimitedBody("retry-after in the body 1e309", "1e309", retried: false);
        yield return RateLimitedBody("retry-after in the body one day", "86400.5", retried: false);

        // Secrets echoed back.
        yield return Post("401 echoes the password", "ZulipAuthenticationFailed", Echo, Echo(401, r => "Wrong password " + FormValue(r, "password"), "AUTHENTICATION_FAILED"));
        yield return Post("401 echoes the url-encoded password", "ZulipAuthenticationFailed", Echo, Echo(401, r => "Wrong password " + Secrets.UrlEncoded(FormValue(r, "password")), "AUTHENTICATION_FAILED"));
        yield return Post("401 echoes the form body", "ZulipAuthenticationFailed", Echo, Echo(401, r => "Bad form: " + r.Body, "AUTHENTICATION_FAILED"));
        yield return Post("400 echoes the password", "ZulipRequestRejected", Echo, Echo(400, r => "Invalid password: " + FormValue(r, "password")));
        yield return Post("429 echoes the password", "ZulipRateLimited", Echo, Echo(429, r => "Too many tries with " + FormValue(r, "password"), "RATE_LIMIT_HIT", "Retry-After: 1"));
        yield return Post("403 echoes the password", "ZulipRequestRejected", Echo, Echo(403, r => "No: " + FormValue(r, "password")));
        yield return Post("500 echoes the password", "ZulipServerError", Echo, Echo(500, r => "Exception at " + FormValue(r, "password")));
        yield return Post("503 echoes the password, retried once", "ZulipServerError", Echo, Echo(503, r => "down " + FormValue(r, "password"), "BAD_REQUEST", "Retry-After: 1"), "-MaximumRetryCount 1 -RetryIntervalSec 1");
        yield return Post("ignored_parameters_unsupported echoes the password", null, Echo, (r, w) =>
            w.RespondAsync(200, FetchWith(extra: ",\"ignored_parameters_unsupported\":[" + Quote(FormValue(r, "password")) + "]")), verify: (_, r, _) => Assert.NotEmpty(r.Warnings));
        yield return Post("the answer echoes the password in msg on success", null, Echo, (r, w) =>
            w.RespondAsync(200, Fetch($"\"api_key\":{Key},\"email\":{MailJson},\"user_id\":11,\"msg2\":{Quote(FormValue(r, "password"))}")));
        yield return new HostileCase("users/me after a key without user_id echoes the key in its 401", HostileCommand.GetKey, null, Echo, s =>
        {
            s.On("POST", FetchPath, Json(200, Fetch($"\"api_key\":{Key},\"email\":{MailJson}")));
            s.On("GET", UsersMePath, Echo(401, r => "Invalid API key " + KeyOf(r) + " / " + BasicOf(r), "UNAUTHORIZED"));
        }) { Verify = (_, r, _) => Assert.NotEmpty(r.Warnings) };
        yield return Me("users/me 401 echoes the key", null, Echo, Echo(401, r => "Invalid API key " + KeyOf(r), "UNAUTHORIZED"), verdict: false);
        yield return Me("users/me 401 echoes base64 email:key", null, Echo, Echo(401, r => "Bad credentials " + BasicOf(r), "UNAUTHORIZED"), verdict: false);
        yield return Me("users/me 401 echoes the url-encoded key", null, Echo, Echo(401, r => "Bad key " + Uri.EscapeDataString(KeyOf(r)), "UNAUTHORIZED"), verdict: false);
        yield return Me("users/me 400 echoes the key", "ZulipRequestRejected", Echo, Echo(400, r => "Bad key " + KeyOf(r)));
        yield return Me("users/me 500 echoes the key", "ZulipServerError", Echo, Echo(500, r => "oops " + KeyOf(r)));
        yield return Me("users/me 429 echoes the Authorization header", "ZulipRateLimited", Echo, Echo(429, r => "rate " + r.Header("authorization"), "RATE_LIMIT_HIT"));

        // Control, escape and bidi characters in server text.
        foreach (var (label, text) in new[]
                 {
                     ("CR LF", "line one\r\nWARNING: forged line"),
                     ("ANSI ESC", "\u001b[2J\u001b[31mred\u001b[0m"),
                     ("C1 CSI", "\u009b2Jcleared"),
                     ("bidi override", "abc\u202Etxt.exe"),
                     ("bidi isolate", "abc\u2066hidden\u2069"),
                     ("zero width and BOM", "ad\u200Bmin\uFEFF"),
                     ("Arabic letter mark", "x\u061Cy"),
                     ("NUL and BEL", "a\u0000b\u0007c"),
                     ("DEL and TAB", "a\u007Fb\tc"),
                 })
        {
            yield return Post($"401 msg with {label}", "ZulipAuthenticationFailed", Controls, Json(401, ZulipError("Wrong: " + text, "AUTHENTICATION_FAILED")),
                verify: (_, r, _) => Assert.Equal("Wrong: " + text, PropertyOf(r.Errors[0].Exception, "ServerMessage")));
            yield return new HostileCase($"realm_name with {label}", HostileCommand.Settings, null, Controls,
                s => s.On("GET", SettingsPath, (q, w) => w.RespondAsync(200, SettingsJson($"http://127.0.0.1:{w.Server.Port}", realmName: text))))
            {
                Verify = (_, r, _) => Assert.Equal(text, Assert.Single(r.Output).Properties["RealmName"].Value),
            };
        }

        yield return Post("ignored_parameters_unsupported with CR LF and ESC", null, Controls,
            Json(200, FetchWith(extra: ",\"ignored_parameters_unsupported\":[\"a\\r\\nWARNING: forged\",\"\\u001b[2J\"]")), verify: (_, r, _) => Assert.NotEmpty(r.Warnings));
        yield return new HostileCase("users/me 401 msg with ANSI after a key without user_id", HostileCommand.GetKey, null, Controls, s =>
        {
            s.On("POST", FetchPath, Json(200, Fetch($"\"api_key\":{Key},\"email\":{MailJson}")));
            s.On("GET", UsersMePath, Json(401, ZulipError("\u001b]0;owned\u0007Invalid API key\r\n", "UNAUTHORIZED")));
        }) { Verify = (_, r, _) => Assert.NotEmpty(r.Warnings) };
        yield return Me("users/me 401 msg with CR LF", null, Controls, Json(401, ZulipError("Invalid API key\r\nVERBOSE: forged", "UNAUTHORIZED")), verdict: false);
        yield return Me("users/me 200 full_name with CR LF", null, Controls, Json(200, "{\"result\":\"success\",\"msg\":\"\",\"user_id\":11,\"email\":" + MailJson + ",\"full_name\":\"Eve\\r\\nVERBOSE: forged\\u001b[2J\"}"), verdict: true);
        yield return new HostileCase("user name with CR LF goes into verbose lines", HostileCommand.GetKey, null, Controls, s => s.RealmUrl = null)
        {
            User = "eve@example.com\r\nVERBOSE: forged \u001b[2J",
            Arrange = s => s.On("GET", SettingsPath, (q, w) => w.RespondAsync(200, SettingsJson($"http://127.0.0.1:{w.Server.Port}").Replace("\"require_email_format_usernames\":true", "\"require_email_format_usernames\":false"))),
        };
        yield return Post("100 KB msg", "ZulipAuthenticationFailed", "main", Json(401, ZulipError(new string('m', 100_000), "AUTHENTICATION_FAILED")));
        yield return Post("msg is not a string", "ZulipAuthenticationFailed", "main", Json(401, "{\"result\":\"error\",\"msg\":[1,2],\"code\":\"AUTHENTICATION_FAILED\"}"));
    }

    private static object? PropertyOf(Exception e, string name) => e.GetType().GetProperty(name)?.GetValue(e);
}
