using System.ComponentModel;

namespace ZulipAuth.TestServer;

/// <summary>
/// Misbehaviours the server can put in front of the real answer, to test how the client copes with
/// broken networks, proxies and servers. Set with <see cref="ServerBehaviour.InjectFault"/>.
/// Each description is what the control channel's <c>faults</c> command lists, so the list has one source.
/// </summary>
public enum FaultKind
{
    [Description("Answer normally.")]
    None = 0,

    [Description("Accept the request and never answer, until the client gives up, the server stops or StallLimit passes (then the connection is aborted).")]
    Stall,

    [Description("Wait FaultDelay, then answer normally.")]
    Delay,

    [Description("Send a 200 with headers and a few bytes of a longer body, then abort the connection.")]
    ResetConnection,

    [Description("nginx-style HTML \"502 Bad Gateway\" page (text/html).")]
    Html502,

    [Description("A 200 HTML page that is not Zulip (captive portal, wrong site).")]
    Html200,

    [Description("nginx-style HTML \"404 Not Found\" page.")]
    NotFoundHtml,

    [Description("200 application/json whose body stops mid-object; the connection is then closed.")]
    TruncatedJson,

    [Description("200 application/json streamed in chunks forever, until the client disconnects, the server stops or 60 s pass. Never buffered.")]
    EndlessBody,

    [Description("A valid JSON success body of about 2 MiB, with Content-Length.")]
    OversizedJson,

    [Description("301 from the http port to the same path and query on the https port (what nginx does). Only applies to requests that came in over http.")]
    RedirectToHttps,

    [Description("307 to the same scheme, port, path and query on host \"localhost\" (a different host name than 127.0.0.1), or to FaultLocation when set.")]
    RedirectToOtherHost,

    [Description("405 Method Not Allowed with Zulip's JSON (no code), as when a proxy re-sends the POST as a GET: the answer the terminal client got when it followed nginx's http-to-https redirect.")]
    MethodRewritten,

    [Description("500 with a Zulip-shaped JSON error body.")]
    Json500,

    [Description("503 with Retry-After: FaultRetryAfterSeconds and an HTML body.")]
    Status503,

    [Description("429 RATE_LIMIT_HIT with retry-after = FaultRetryAfterSeconds in the body and the Retry-After header.")]
    RateLimited,

    [Description("200 JSON that parses but is not Zulip-shaped: {\"hello\":\"world\"}.")]
    OtherJsonShape,

    [Description("200 application/json with an empty body.")]
    EmptyBody,
}
