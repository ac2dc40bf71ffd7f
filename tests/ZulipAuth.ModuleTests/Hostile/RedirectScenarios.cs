using static ZulipAuth.ModuleTests.Hostile.Answers;
using static ZulipAuth.ModuleTests.Hostile.HostileServer;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>Every way a server can point the client somewhere else: redirects, realm_url, icons and login URLs, and -Server itself.</summary>
public static class RedirectScenarios
{
    private const string Redirected = "ZulipRedirected";
    private const string RedirectScheme = "redirect Location not http/https";
    private const string RealmScheme = "realm_url not http/https, or http when https was asked";
    private const string Dropped = "realm_icon/login_url/signup_url not http/https";
    private const string InvalidServer = "-Server with bidi/invisible/control characters; IPv6 zone id";

    /// <summary>Schemes a redirect or realm_url may name; {0} is the hostile server's port.</summary>
    public static readonly (string Label, string Url)[] Schemes =
    [
        ("ws", "ws://127.0.0.1:{0}/api/v1/server_settings"),
        ("wss", "wss://127.0.0.1:{0}/api/v1/server_settings"),
        ("file", "file:///etc/passwd"),
        ("ftp", "ftp://127.0.0.1:{0}/"),
        ("gopher", "gopher://127.0.0.1:{0}/"),
        ("javascript", "javascript:alert(1)"),
        ("data", "data:text/plain,hello"),
        ("ldap", "ldap://127.0.0.1:{0}/"),
        ("unknown scheme", "zulip+evil://127.0.0.1:{0}/"),
    ];

    private static Responder To(int status, string location) => (_, w) =>
        w.RespondAsync(status, "{}", "application/json", "Location: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, location, w.Server.Port));

    private static void OnlyOneRequest(HostileServer s, PsResult r, TimeSpan t) => Assert.Single(s.Requests);

    public static IEnumerable<HostileCase> All()
    {
        foreach (var (label, url) in Schemes)
        {
            yield return new HostileCase($"settings redirected to {label}", HostileCommand.Settings, Redirected, RedirectScheme,
                s => s.On("GET", SettingsPath, To(302, url))) { Verify = OnlyOneRequest };
            yield return new HostileCase($"preflight redirected to {label}", HostileCommand.GetKey, Redirected, RedirectScheme,
                s => s.On("GET", SettingsPath, To(301, url))) { Verify = (s, r, t) => { Assert.Equal(0, s.Posts); OnlyOneRequest(s, r, t); } };
            yield return new HostileCase($"password POST redirected to {label}", HostileCommand.GetKey, Redirected, RedirectScheme,
                s => s.On("POST", FetchPath, To(307, url))) { Verify = (s, _, _) => { Assert.Equal(1, s.Posts); Assert.Equal(2, s.Requests.Count); } };
            yield return new HostileCase($"https preflight redirected to {label}", HostileCommand.GetKey, Redirected, RedirectScheme,
                s => s.On("GET", SettingsPath, To(308, url))) { Tls = true, Verify = (s, r, t) => { Assert.Equal(0, s.Posts); OnlyOneRequest(s, r, t); } };
        }

        foreach (var (label, url) in new[] { ("ws", "ws://127.0.0.1:{0}/api/v1/users/me"), ("file", "file:///etc/passwd"), ("javascript", "javascript:alert(1)") })
        {
            yield return new HostileCase($"users/me redirected to {label}", HostileCommand.TestKey, Redirected, RedirectScheme,
                s => s.On("GET", UsersMePath, To(302, url))) { Verify = OnlyOneRequest };
        }

        yield return new HostileCase("users/me redirected on the same host", HostileCommand.TestKey, Redirected, "main (never follow a redirect with a secret)",
            s => s.On("GET", UsersMePath, To(307, "/api/v1/users/me?again"))) { Verify = OnlyOneRequest };
        yield return new HostileCase("password POST 303 to itself", HostileCommand.GetKey, Redirected, "main (never follow a redirect with a secret)",
            s => s.On("POST", FetchPath, To(303, "/api/v1/fetch_api_key"))) { Verify = (s, _, _) => Assert.Equal(1, s.Posts) };
        yield return new HostileCase("settings redirected to another host", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, To(302, "http://localhost:{0}/api/v1/server_settings"))) { Verify = OnlyOneRequest };
        yield return new HostileCase("settings redirected to 127.0.0.2", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, To(302, "http://127.0.0.2:{0}/api/v1/server_settings"))) { Verify = OnlyOneRequest };
        yield return new HostileCase("settings redirected protocol-relative", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, To(302, "//evil.example/api/v1/server_settings"))) { Verify = OnlyOneRequest };
        yield return new HostileCase("settings redirect loop", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, To(302, "/api/v1/server_settings"))) { Verify = (s, _, _) => Assert.InRange(s.Requests.Count, 2, 6) };
        yield return new HostileCase("https settings redirected to http on the same port", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, (q, w) => q.Scheme == "https" ? To(301, "http://127.0.0.1:{0}/api/v1/server_settings")(q, w) : Friendly(q, w)))
        { Tls = true, Verify = (s, _, _) => Assert.All(s.Requests, q => Assert.Equal("https", q.Scheme)) };
        yield return new HostileCase("settings redirect with user info", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, To(302, "http://user:pw@127.0.0.2:{0}/api/v1/server_settings"))) { Verify = OnlyOneRequest };
        yield return new HostileCase("settings redirect Location unreadable", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, To(302, "http://[::1"))) { Verify = OnlyOneRequest };
        yield return new HostileCase("settings 302 without Location", HostileCommand.Settings, Redirected, "main",
            s => s.On("GET", SettingsPath, Json(302, "{}")));

        // realm_url: the login goes to the server the user typed, with a warning.
        foreach (var (label, url) in Schemes.Append(("http downgrade", "http://127.0.0.1:{0}")))
        {
            yield return Realm($"https realm_url {label}", url, tls: true, RealmScheme);
        }

        yield return Realm("http realm_url ws", "ws://127.0.0.1:{0}", tls: false, RealmScheme);
        yield return Realm("http realm_url file", "file:///etc/passwd", tls: false, RealmScheme);
        yield return Realm("http realm_url javascript", "javascript:alert(1)", tls: false, RealmScheme);
        yield return Realm("realm_url another host", "https://evil.example", tls: true, "main (never another host)");
        yield return Realm("realm_url localhost instead of 127.0.0.1", "https://localhost:{0}", tls: true, "main (never another host)");
        yield return Realm("realm_url with user info on another host", "https://user:pw@evil.example", tls: true, "main (never another host)");
        yield return new HostileCase("realm_url with a path", HostileCommand.GetKey, null, "main", s => s.RealmUrl = $"https://127.0.0.1:{s.Port}/evil/path")
        {
            Tls = true,
            Verify = (s, _, _) => Assert.Equal(FetchPath, Assert.Single(s.Requests, q => q.Method == "POST").Path),
        };

        // Links in the settings: dropped unless http/https.
        foreach (var (label, value) in new[] { ("javascript", "javascript:alert(1)"), ("data", "data:image/png;base64,AAAA"), ("file", "file:///etc/passwd"), ("ws", "ws://127.0.0.1/x.png"), ("ftp", "ftp://127.0.0.1/x.png") })
        {
            yield return new HostileCase($"realm_icon {label} is dropped", HostileCommand.Settings, null, Dropped,
                s => s.On("GET", SettingsPath, (q, w) => w.RespondAsync(200, SettingsJson(w.Server.Http).Replace("\"/static/images/logo.png\"", Quote(value)))))
            {
                Verify = (_, r, _) => Assert.Null(Assert.Single(r.Output).Properties["RealmIcon"].Value),
            };
        }

        foreach (var (member, label, value) in new[] { ("login_url", "javascript", "javascript:alert(document.cookie)"), ("login_url", "data", "data:text/html,<script>x</script>"), ("signup_url", "gopher", "gopher://127.0.0.1/"), ("signup_url", "file", "file:///etc/shadow") })
        {
            var property = member == "login_url" ? "LoginUrl" : "SignupUrl";
            yield return new HostileCase($"{member} {label} is dropped", HostileCommand.Settings, null, Dropped,
                s => s.On("GET", SettingsPath, (q, w) => w.RespondAsync(200, SettingsJson(w.Server.Http).Replace("\"external_authentication_methods\":[]",
                    "\"external_authentication_methods\":[{\"name\":\"saml:x\",\"display_name\":\"SSO\",\"login_url\":\"/accounts/login/social/saml/x\",\"signup_url\":\"/accounts/register/social/saml/x\",\"" + member + "\":" + Quote(value) + "}]"))))
            {
                Verify = (_, r, _) =>
                {
                    var methods = (object[])Assert.Single(r.Output).Properties["ExternalAuthenticationMethods"].Value;
                    var method = System.Management.Automation.PSObject.AsPSObject(Assert.Single(methods));
                    Assert.Null(method.Properties[property].Value);
                },
            };
        }

        // -Server itself.
        foreach (var (label, server) in new[]
                 {
                     ("right-to-left override in the host", "http://127.0.0\u202E.1:{0}"),
                     ("right-to-left override at the end", "http://127.0.0.1:{0}\u202E"),
                     ("zero width space in the host", "http://127.0\u200B.0.1:{0}"),
                     ("BOM before the scheme", "\uFEFFhttp://127.0.0.1:{0}"),
                     ("left-to-right isolate", "http://127.0.0.1\u2066:{0}"),
                     ("Arabic letter mark", "http://127.0.0.1\u061C:{0}"),
                     ("word joiner", "http://127.0.0.1\u2060:{0}"),
                     ("BEL in the host", "http://127.0.0.1\u0007:{0}"),
                     ("ESC in the host", "http://127.0.0.1\u001b[2J:{0}"),
                     ("C1 control", "http://127.0.0.1\u0085:{0}"),
                     ("IPv6 zone id (link-local)", "http://[fe80::1%25eth0]:{0}"),
                     ("IPv6 zone id on loopback", "http://[::1%25lo]:{0}"),
                     ("ws scheme", "ws://127.0.0.1:{0}"),
                     ("file scheme", "file:///etc/passwd"),
                     ("javascript scheme", "javascript:alert(1)"),
                     ("user info", "http://user:secret@127.0.0.1:{0}"),
                 })
        {
            yield return new HostileCase($"-Server {label}", HostileCommand.Settings, "ZulipInvalidServer", InvalidServer, _ => { })
            {
                ServerArgument = s => string.Format(System.Globalization.CultureInfo.InvariantCulture, server, s.Port),
                Verify = (s, _, _) => Assert.Empty(s.Requests),
            };
        }

        yield return new HostileCase("-Server with a right-to-left override, Get-ZulipApiKey", HostileCommand.GetKey, "ZulipInvalidServer", InvalidServer, _ => { })
        {
            ServerArgument = s => $"http://127.0.0.1:{s.Port}\u202E",
            Verify = (s, _, _) => Assert.Empty(s.Requests),
        };

        // -TimeoutSec beyond what the platform can time: no limit, like 0.
        foreach (var seconds in new[] { "2147483647", "2147484", "86400000" })
        {
            yield return new HostileCase($"-TimeoutSec {seconds}", HostileCommand.GetKey, null, "-TimeoutSec larger than the platform can time", _ => { }) { Extra = "-TimeoutSec " + seconds };
        }
    }

    private static HostileCase Realm(string name, string url, bool tls, string decision) =>
        new(name, HostileCommand.GetKey, null, decision, s => s.RealmUrl = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, s.Port))
        {
            Tls = tls,
            Verify = (s, r, _) =>
            {
                var post = Assert.Single(s.Requests, q => q.Method == "POST");
                Assert.Equal(tls ? "https" : "http", post.Scheme);
                Assert.Equal(FetchPath, post.Path);
                Assert.StartsWith("127.0.0.1", post.Header("host"));
                // One warning for -SkipCertificateCheck (https cases), one for the announced URL that was not used.
                Assert.True(r.Warnings.Count >= (tls ? 2 : 1), $"no warning about the realm URL: {string.Join(" | ", r.Warnings)}");
            },
        };
}
