using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer.Endpoints;

/// <summary>
/// Zulip's web sign-in as the mobile and desktop apps use it (zerver/views/auth.py): the SSO start routes with
/// their OTP checks, a stand-in identity provider, the zulip:// redirect (mobile_flow_otp), the desktop redirect
/// page with the AES-GCM token (desktop_flow_otp), /accounts/login/subdomain/&lt;token&gt; (15 s, single use) and
/// POST /json/fetch_api_key behind Django's CSRF rules. Simplification: the real social flow goes through the root
/// domain and the provider's own site; here the provider is /testidp/ on the same server, and the OTPs wait in
/// server memory under a state id, as Zulip keeps them in the session (or Redis for SAML).
/// </summary>
internal sealed partial class WebLoginEndpoints(ServerState state)
{
    public const string SubdomainLoginPrefix = "/accounts/login/subdomain/";
    public const string JsonFetchApiKeyPath = "/json/fetch_api_key";
    public const string IdentityProviderPath = "/testidp/authorize";
    public const string CompletePath = "/testidp/complete";

    private readonly ConcurrentDictionary<string, PendingLogin> _pending = new();
    private readonly ConcurrentDictionary<string, (string Email, DateTimeOffset Expires)> _loginTokens = new();
    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    private sealed record PendingLogin(string? MobileOtp, string? DesktopOtp);

    private sealed record Session(string Email, string CsrfSecret);

    public bool Handles(string path) =>
        path.StartsWith("/accounts/login/social/", StringComparison.Ordinal) ||
        path is "/accounts/login/start/sso/" or "/accounts/login/sso/" or IdentityProviderPath or CompletePath or JsonFetchApiKeyPath ||
        path.StartsWith(SubdomainLoginPrefix, StringComparison.Ordinal);

    public Task HandleAsync(HttpContext context, RequestParameters parameters, CancellationToken ct)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == "/accounts/login/start/sso/")
        {
            // start_remote_user_sso: the same query string, on to the view that reads REMOTE_USER.
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "/accounts/login/sso/" + context.Request.QueryString.Value;
            return Task.CompletedTask;
        }

        if (path.StartsWith("/accounts/login/social/", StringComparison.Ordinal) || path == "/accounts/login/sso/")
            return StartAsync(context, parameters, path, ct);
        if (path == IdentityProviderPath)
            return IdentityProviderAsync(context, parameters, ct);
        if (path == CompletePath)
            return CompleteAsync(context, parameters, ct);
        if (path == JsonFetchApiKeyPath)
            return JsonFetchApiKeyAsync(context, parameters, ct);
        return LogIntoSubdomainAsync(context, path[SubdomainLoginPrefix.Length..], ct);
    }

    private async Task StartAsync(HttpContext context, RequestParameters parameters, string path, CancellationToken ct)
    {
        var offered = state.Behaviour.ExternalAuthenticationMethods.Any(m => m.LoginUrl.TrimEnd('/') == path.TrimEnd('/')) ||
                      (path == "/accounts/login/sso/" && state.Behaviour.ExternalAuthenticationMethods.Any(m => m.LoginUrl == "/accounts/login/start/sso/"));
        if (!offered || state.ResolveHost(context.Request) != HostTarget.Realm)
        {
            await ZulipErrors.NotFoundAsync(context, ct);
            return;
        }

        var mobile = parameters.Get("mobile_flow_otp");
        var desktop = parameters.Get("desktop_flow_otp");
        // validate_otp_params: each format first, then both together.
        if ((mobile is not null && !IsValidOtp(mobile)) || (desktop is not null && !IsValidOtp(desktop)))
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, "Invalid OTP", "BAD_REQUEST", ct);
            return;
        }

        if (mobile is not null && desktop is not null)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, "Can't use both mobile_flow_otp and desktop_flow_otp together.", "BAD_REQUEST", ct);
            return;
        }

        if (desktop is null && mobile is null && context.Request.Headers.UserAgent.ToString().Contains("ZulipElectron", StringComparison.Ordinal))
        {
            await HtmlAsync(context, 200, "<title>Finish desktop login</title><p>Finish desktop login</p><input placeholder=\"Paste token here\">", ct);
            return;
        }

        var id = RandomNumberGenerator.GetHexString(32, lowercase: true);
        _pending[id] = new PendingLogin(mobile, desktop);
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = $"{IdentityProviderPath}?state={id}";
    }

    private async Task IdentityProviderAsync(HttpContext context, RequestParameters parameters, CancellationToken ct)
    {
        var id = parameters.Get("state") ?? "";
        if (!_pending.ContainsKey(id))
        {
            await HtmlAsync(context, 400, "<p>Unknown or finished login.</p>", ct);
            return;
        }

        if (state.Behaviour.WebLogin.WaitForClick && !HttpMethods.IsPost(context.Request.Method))
        {
            var email = WebUtility.HtmlEncode(state.Behaviour.WebLogin.UserEmail);
            await HtmlAsync(context, 200,
                $"<title>Test identity provider</title><form method=\"post\" action=\"{IdentityProviderPath}\"><input type=\"hidden\" name=\"state\" value=\"{id}\"><button type=\"submit\">Sign in as {email}</button></form>", ct);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = $"{CompletePath}?state={id}";
    }

    private async Task CompleteAsync(HttpContext context, RequestParameters parameters, CancellationToken ct)
    {
        if (!_pending.TryRemove(parameters.Get("state") ?? "", out var pending))
        {
            await HtmlAsync(context, 400, "<p>Unknown or finished login.</p>", ct);
            return;
        }

        var behaviour = state.Behaviour;
        var user = ServerState.FindInRealm(behaviour.WebLogin.UserEmail);
        if (user is null || !behaviour.IsUserActive(user) || behaviour.RealmDeactivated)
        {
            await HtmlAsync(context, 200, "<p>Your account is deactivated or unknown.</p>", ct);
            return;
        }

        var realm = state.RealmUrl(context.Request).TrimEnd('/');
        if (pending.MobileOtp is { } otp)
        {
            // finish_mobile_flow / create_response_for_otp_flow: a hand-built 302 to zulip://, no session.
            var key = behaviour.WebLogin.RedirectKeyOverride ?? OtpEncryptApiKey(behaviour.CurrentApiKey(user), otp);
            var query = new List<string>
            {
                "otp_encrypted_api_key=" + Uri.EscapeDataString(key),
                "email=" + Uri.EscapeDataString(user.Email),
            };
            if (behaviour.FeatureLevel >= 108)
                query.Add("user_id=" + user.UserId);
            query.Add("realm=" + Uri.EscapeDataString(behaviour.WebLogin.RedirectRealmOverride ?? realm));
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "zulip://login?" + string.Join("&", query);
            return;
        }

        if (pending.DesktopOtp is { } aesKey)
        {
            // finish_desktop_flow: a 32-hex login token in Redis for 15 s, shown encrypted on desktop_redirect.html.
            var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
            _loginTokens[token] = (user.Email, DateTimeOffset.UtcNow + behaviour.WebLogin.LoginTokenLifetime);
            var encrypted = EncryptDesktopToken(token, Convert.FromHexString(aesKey));
            await HtmlAsync(context, 200,
                "<title>Log in to desktop app | Zulip</title><p>Copy this login token and return to your Zulip app to finish logging in:</p>" +
                $"<input id=\"desktop-data\" readonly value=\"{encrypted}\"><button>Copy</button><p>You may then close this window.</p><a href=\"/login/\">Or, continue in your browser.</a>", ct);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = realm;
    }

    private async Task LogIntoSubdomainAsync(HttpContext context, string token, CancellationToken ct)
    {
        if (!LoginTokenFormat().IsMatch(token))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentLength = 0;
            return;
        }

        if (state.ResolveHost(context.Request) != HostTarget.Realm)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, ZulipErrors.InvalidSubdomain, "BAD_REQUEST", ct);
            return;
        }

        // Single use: the entry is gone once read, whether or not it was still valid.
        if (!_loginTokens.TryRemove(token, out var entry) || entry.Expires < DateTimeOffset.UtcNow)
        {
            await HtmlAsync(context, 400, "<title>Invalid or expired login session</title><p>The login session is invalid or has expired.</p>", ct);
            return;
        }

        var sessionId = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var csrf = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 64);
        _sessions[sessionId] = new Session(entry.Email, csrf);
        var secure = context.Request.IsHttps;
        context.Response.Headers.Append("Set-Cookie", $"{SessionCookie(secure)}={sessionId}; HttpOnly; Path=/; SameSite=Lax" + (secure ? "; Secure" : ""));
        context.Response.Headers.Append("Set-Cookie", $"{CsrfCookie(secure)}={csrf}; HttpOnly; Path=/; SameSite=Lax" + (secure ? "; Secure" : ""));
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = state.RealmUrl(context.Request);
    }

    private async Task JsonFetchApiKeyAsync(HttpContext context, RequestParameters parameters, CancellationToken ct)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            await ZulipErrors.MethodNotAllowedAsync(context, ["POST"], ct);
            return;
        }

        var csrfFailure = CheckCsrf(request, parameters);
        if (csrfFailure is not null)
        {
            await ZulipJson.ErrorAsync(context, StatusCodes.Status403Forbidden, "CSRF error: " + csrfFailure, "CSRF_FAILED", ct,
                writer => writer.WriteString("reason", csrfFailure));
            return;
        }

        var secure = request.IsHttps;
        if (!request.Cookies.TryGetValue(SessionCookie(secure), out var sessionId) || !_sessions.TryGetValue(sessionId, out var session))
        {
            context.Response.Headers.WWWAuthenticate = "Session realm=\"zulip\"";
            await ZulipJson.ErrorAsync(context, StatusCodes.Status401Unauthorized, "Not logged in: API authentication or user session required", "UNAUTHORIZED", ct);
            return;
        }

        var behaviour = state.Behaviour;
        var user = ServerState.FindInRealm(session.Email)!;
        if (behaviour.RealmDeactivated)
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status401Unauthorized, ZulipErrors.RealmDeactivated, "REALM_DEACTIVATED", ct);
            return;
        }

        if (!behaviour.IsUserActive(user))
        {
            await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status401Unauthorized, ZulipErrors.UserDeactivated, "USER_DEACTIVATED", ct);
            return;
        }

        if (behaviour.PasswordAuthEnabled || behaviour.LdapEnabled)
        {
            var password = parameters.Get("password") ?? "";
            if (user.Password is null || password.Length == 0 || !string.Equals(password, user.Password, StringComparison.Ordinal))
            {
                await ZulipErrors.ErrorAsync(state, context, StatusCodes.Status400BadRequest, "Password is incorrect.", "BAD_REQUEST", ct);
                return;
            }
        }

        await ZulipJson.SuccessAsync(context, writer =>
        {
            writer.WriteString("api_key", behaviour.CurrentApiKey(user));
            writer.WriteString("email", user.Email);
        }, ct);
    }

    /// <summary>Django's CsrfViewMiddleware order: Origin if sent (else Referer on https), then cookie, then token.</summary>
    private string? CheckCsrf(HttpRequest request, RequestParameters parameters)
    {
        var own = state.Behaviour.WebLogin.CsrfTrustedOrigin ?? $"{request.Scheme}://{request.Host.Value}";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            if (!string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
                return $"Origin checking failed - {origin} does not match any trusted origins.";
        }
        else if (request.IsHttps)
        {
            var referer = request.Headers.Referer.ToString();
            if (referer.Length == 0)
                return "Referer checking failed - no Referer.";
            if (!Uri.TryCreate(referer, UriKind.Absolute, out var refererUri) || refererUri.Scheme != "https" ||
                !string.Equals(refererUri.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase))
                return $"Referer checking failed - {referer} does not match any trusted origins.";
        }

        if (!request.Cookies.TryGetValue(CsrfCookie(request.IsHttps), out var secret) || secret.Length == 0)
            return "CSRF cookie not set.";
        var token = parameters.Get("csrfmiddlewaretoken");
        if (string.IsNullOrEmpty(token))
            token = request.Headers["X-CSRFToken"].ToString();
        if (string.IsNullOrEmpty(token))
            return "CSRF token missing.";
        // Simplification: Django also accepts a masked (64-char) form of the secret.
        return string.Equals(token, secret, StringComparison.Ordinal) ? null : "CSRF token incorrect.";
    }

    /// <summary>Production names on https (__Host- prefix), development names on http.</summary>
    private static string SessionCookie(bool secure) => secure ? "__Host-sessionid" : "sessionid";

    private static string CsrfCookie(bool secure) => secure ? "__Host-csrftoken" : "csrftoken";

    private static bool IsValidOtp(string otp) => otp.Length == 64 && otp.All(Uri.IsHexDigit);

    /// <summary>zerver/lib/mobile_auth_otp.py: hex(ascii(key)) XOR otp, per hex digit, lowercase.</summary>
    internal static string OtpEncryptApiKey(string apiKey, string otp)
    {
        var hex = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(apiKey));
        var result = new StringBuilder(hex.Length);
        for (var i = 0; i < hex.Length; i++)
            result.Append((Convert.ToInt32(hex[i].ToString(), 16) ^ Convert.ToInt32(otp[i].ToString(), 16)).ToString("x"));
        return result.ToString();
    }

    /// <summary>(iv + AESGCM(otp).encrypt(iv, token, b"")).hex(): 12-byte iv, ciphertext, 16-byte tag last.</summary>
    internal static string EncryptDesktopToken(string token, byte[] key, byte[]? iv = null)
    {
        iv ??= RandomNumberGenerator.GetBytes(12);
        var plain = Encoding.ASCII.GetBytes(token);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(key, 16))
            aes.Encrypt(iv, plain, cipher, tag);
        return Convert.ToHexStringLower([.. iv, .. cipher, .. tag]);
    }

    private static async Task HtmlAsync(HttpContext context, int status, string body, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>" + body + "</body></html>");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, ct);
    }

    [GeneratedRegex("^[A-Za-z0-9]{32}$")]
    private static partial Regex LoginTokenFormat();
}
