using Xunit;

namespace ZulipAuth.Tests;

/// <summary>
/// One failed answer to POST /api/v1/fetch_api_key, byte for byte as a real Zulip server (or the proxy in front
/// of it) sends it, with what the client must make of it. <c>{KEY}</c> in a body is replaced by the test's key
/// (a canary in the secrets tests), to prove bodies are never echoed.
/// </summary>
public sealed record FailureRow(
    string Name,
    int Status,
    string? ContentType,
    string Body,
    (string Name, string Value)[] Headers,
    string ErrorId,
    string? Code,
    string? ServerMessage,
    double? RetryAfterSeconds,
    bool Transient);

/// <summary>Every failed answer a Zulip server gives to fetch_api_key, plus what older servers and proxies send.</summary>
public static class FetchApiKeyAnswers
{
    private static readonly (string, string)[] None = [];

    private const string NginxBadGateway =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    public static readonly FailureRow[] Rows =
    [
        new("401 AUTHENTICATION_FAILED", 401, "application/json",
            """{"result":"error","msg":"Your username or password is incorrect","code":"AUTHENTICATION_FAILED"}""", None,
            ZulipErrorId.AuthenticationFailed, "AUTHENTICATION_FAILED", "Your username or password is incorrect", null, false),
        new("old server 403 without code", 403, "application/json",
            """{"result":"error","msg":"Your username or password is incorrect.","reason":"incorrect_creds"}""", None,
            ZulipErrorId.AuthenticationFailed, null, "Your username or password is incorrect.", null, false),
        new("401 USER_DEACTIVATED", 401, "application/json",
            """{"result":"error","msg":"Account is deactivated","code":"USER_DEACTIVATED"}""", None,
            ZulipErrorId.UserDeactivated, "USER_DEACTIVATED", "Account is deactivated", null, false),
        new("401 REALM_DEACTIVATED", 401, "application/json",
            """{"result":"error","msg":"This organization has been deactivated","code":"REALM_DEACTIVATED"}""", None,
            ZulipErrorId.RealmDeactivated, "REALM_DEACTIVATED", "This organization has been deactivated", null, false),
        new("401 PASSWORD_AUTH_DISABLED", 401, "application/json",
            """{"result":"error","msg":"Password authentication is disabled in this organization","code":"PASSWORD_AUTH_DISABLED"}""", None,
            ZulipErrorId.PasswordAuthDisabled, "PASSWORD_AUTH_DISABLED", "Password authentication is disabled in this organization", null, false),
        new("401 PASSWORD_RESET_REQUIRED", 401, "application/json",
            """{"result":"error","msg":"Your password has been disabled and needs to be reset","code":"PASSWORD_RESET_REQUIRED"}""", None,
            ZulipErrorId.PasswordResetRequired, "PASSWORD_RESET_REQUIRED", "Your password has been disabled and needs to be reset", null, false),
        new("404 NONEXISTENT_SUBDOMAIN", 404, "application/json",
            """{"result":"error","msg":"Invalid subdomain","code":"NONEXISTENT_SUBDOMAIN"}""", None,
            ZulipErrorId.InvalidSubdomain, "NONEXISTENT_SUBDOMAIN", "Invalid subdomain", null, false),
        new("400 BAD_REQUEST invalid email", 400, "application/json",
            """{"result":"error","msg":"Enter a valid email address.","code":"BAD_REQUEST"}""", None,
            ZulipErrorId.InvalidUsername, "BAD_REQUEST", "Enter a valid email address.", null, false),
        new("400 REQUEST_VARIABLE_MISSING", 400, "application/json",
            """{"result":"error","msg":"Missing 'password' argument","var_name":"password","code":"REQUEST_VARIABLE_MISSING"}""", None,
            ZulipErrorId.RequestRejected, "REQUEST_VARIABLE_MISSING", "Missing 'password' argument", null, false),
        new("405 Method Not Allowed", 405, "application/json",
            """{"result":"error","msg":"Method Not Allowed","allowed_methods":["POST"]}""", [("Allow", "POST")],
            ZulipErrorId.RequestRejected, null, "Method Not Allowed", null, false),
        new("429 RATE_LIMIT_HIT", 429, "application/json",
            """{"result":"error","msg":"API usage exceeded rate limit","retry-after":1.5,"code":"RATE_LIMIT_HIT"}""", [("Retry-After", "1.5")],
            ZulipErrorId.RateLimited, "RATE_LIMIT_HIT", "API usage exceeded rate limit", 1.5, true),
        new("429 RATE_LIMIT_HIT long wait", 429, "application/json",
            """{"result":"error","msg":"API usage exceeded rate limit","retry-after":1793.25,"code":"RATE_LIMIT_HIT"}""", [("Retry-After", "1793.25")],
            ZulipErrorId.RateLimited, "RATE_LIMIT_HIT", "API usage exceeded rate limit", 1793.25, true),
        new("429 from a proxy, header only", 429, "text/html",
            "<html><body>Too Many Requests</body></html>", [("Retry-After", "30")],
            ZulipErrorId.RateLimited, null, null, 30, true),
        new("500 Zulip JSON", 500, "application/json",
            """{"result":"error","msg":"Internal server error"}""", None,
            ZulipErrorId.ServerError, null, "Internal server error", null, false),
        new("502 HTML", 502, "text/html", NginxBadGateway, None,
            ZulipErrorId.ServerError, null, null, null, true),
        new("503 HTML with Retry-After", 503, "text/html",
            "<html><body><h1>503 Service Unavailable</h1>Zulip is restarting.</body></html>", [("Retry-After", "120")],
            ZulipErrorId.ServerError, null, null, 120, true),
        new("504 HTML", 504, "text/html",
            "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>", None,
            ZulipErrorId.ServerError, null, null, null, true),
        new("200 HTML", 200, "text/html",
            "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>It works</body></html>", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("404 HTML", 404, "text/html",
            "<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 truncated JSON", 200, "application/json",
            """{"result":"success","msg":"","api_key":"{KEY}","email":"iago@zul""", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 JSON of another shape", 200, "application/json",
            """{"status":"ok","data":{"token":"{KEY}"}}""", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 JSON array", 200, "application/json",
            """[{"result":"success","api_key":"{KEY}","email":"iago@zulip.com"}]""", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 empty body", 200, "application/json", "", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 success without api_key", 200, "application/json",
            """{"result":"success","msg":"","email":"iago@zulip.com","user_id":5}""", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 success with empty api_key", 200, "application/json",
            """{"result":"success","msg":"","api_key":"","email":"iago@zulip.com","user_id":5}""", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
        new("200 success without email", 200, "application/json",
            """{"result":"success","msg":"","api_key":"{KEY}","user_id":5}""", None,
            ZulipErrorId.UnexpectedResponse, null, null, null, false),
    ];

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var row in Rows)
            {
                data.Add(row.Name);
            }

            return data;
        }
    }

    public static FailureRow Get(string name) => Rows.Single(r => r.Name == name);

    public static HttpResponseMessage ToResponse(FailureRow row, string key) =>
        TestSupport.Answer(row.Status, row.Body.Replace("{KEY}", key), row.ContentType, row.Headers);
}
