namespace ZulipAuth.TestServer;

/// <summary>
/// What the server saw of one request. Deliberately holds no secret: no password, no API key, no
/// Authorization value. Form fields are recorded by name only; query values whose names look secret
/// (password, key, secret, token) are replaced by "[redacted]".
/// </summary>
public sealed record ReceivedRequest
{
    /// <summary>When the request arrived (server clock, UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>"http" or "https".</summary>
    public required string Scheme { get; init; }

    /// <summary>e.g. "HTTP/1.1".</summary>
    public required string Protocol { get; init; }

    public required string Method { get; init; }

    /// <summary>The path, e.g. "/api/v1/fetch_api_key".</summary>
    public required string Path { get; init; }

    /// <summary>The query string with its leading '?', secret-looking values redacted; "" when none.</summary>
    public required string Query { get; init; }

    /// <summary>Names of the query parameters, in order.</summary>
    public required IReadOnlyList<string> QueryKeys { get; init; }

    /// <summary>The Host header as sent (with port).</summary>
    public required string Host { get; init; }

    public required string? ContentType { get; init; }

    public required string? UserAgent { get; init; }

    /// <summary>An Authorization header was present.</summary>
    public required bool HasAuthorization { get; init; }

    /// <summary>The scheme word of the Authorization header ("Basic"), if any.</summary>
    public required string? AuthorizationScheme { get; init; }

    /// <summary>The user part of HTTP Basic credentials (an email, not secret), if decodable. Lets a test check
    /// that the client authenticates with the email the server returned, not the typed username.</summary>
    public required string? BasicAuthUser { get; init; }

    /// <summary>Names of the form fields (urlencoded or multipart), in order. Values are never kept.</summary>
    public required IReadOnlyList<string> FormKeys { get; init; }

    /// <summary>A "password" parameter was present (form or query).</summary>
    public required bool HadPasswordField { get; init; }

    /// <summary>The "username" parameter (form, else query) as received; usernames are not secret.</summary>
    public required string? SubmittedUsername { get; init; }
}
