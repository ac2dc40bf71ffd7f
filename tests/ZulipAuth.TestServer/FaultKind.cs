namespace ZulipAuth.TestServer;

/// <summary>
/// Misbehaviours the server can put in front of the real answer, to test how the client copes with
/// broken networks, proxies and servers. Set with <see cref="ServerBehaviour.InjectFault"/>.
/// </summary>
public enum FaultKind
{
    /// <summary>Answer normally.</summary>
    None = 0,

    /// <summary>Accept the request and never answer, until the client gives up, the server stops or
    /// <see cref="ServerBehaviour.StallLimit"/> passes (then the connection is aborted).</summary>
    Stall,

    /// <summary>Wait <see cref="ServerBehaviour.FaultDelay"/>, then answer normally.</summary>
    Delay,

    /// <summary>Send a 200 with headers and a few bytes of a longer body, then abort the connection.</summary>
    ResetConnection,

    /// <summary>nginx-style HTML "502 Bad Gateway" page (text/html).</summary>
    Html502,

    /// <summary>A 200 HTML page that is not Zulip (captive portal, wrong site).</summary>
    Html200,

    /// <summary>nginx-style HTML "404 Not Found" page.</summary>
    NotFoundHtml,

    /// <summary>200 application/json whose body stops mid-object; the connection is then closed.</summary>
    TruncatedJson,

    /// <summary>200 application/json streamed in chunks forever, until the client disconnects, the server
    /// stops or 60 s pass. Never buffered.</summary>
    EndlessBody,

    /// <summary>A valid JSON success body of about 2 MiB, with Content-Length.</summary>
    OversizedJson,

    /// <summary>301 from the http port to the same path and query on the https port (what nginx does).
    /// Only applies to requests that came in over http.</summary>
    RedirectToHttps,

    /// <summary>307 to the same scheme, port, path and query on host "localhost" (a different host name
    /// than 127.0.0.1), or to <see cref="ServerBehaviour.FaultLocation"/> when set.</summary>
    RedirectToOtherHost,

    /// <summary>405 Method Not Allowed with Zulip's JSON (no code), as when a proxy re-sends the POST as a
    /// GET: the answer the terminal client got when it followed nginx's http-to-https redirect.</summary>
    MethodRewritten,

    /// <summary>500 with a Zulip-shaped JSON error body.</summary>
    Json500,

    /// <summary>503 with <c>Retry-After: FaultRetryAfterSeconds</c> and an HTML body.</summary>
    Status503,

    /// <summary>429 RATE_LIMIT_HIT with <c>retry-after</c> = <see cref="ServerBehaviour.FaultRetryAfterSeconds"/>
    /// in the body and the <c>Retry-After</c> header.</summary>
    RateLimited,

    /// <summary>200 JSON that parses but is not Zulip-shaped: <c>{"hello":"world"}</c>.</summary>
    OtherJsonShape,

    /// <summary>200 application/json with an empty body.</summary>
    EmptyBody,
}
