using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ZulipAuth.TestServer;

/// <summary>
/// JSON Web Tokens signed with HS256 (HMAC-SHA256), as an organization's issuer makes them for Zulip's
/// <c>JWT_AUTH_KEYS</c>; and the check Zulip's <c>jwt.decode(token, key, algorithms=["HS256"])</c> performs.
/// </summary>
public static class TestJwt
{
    /// <summary>A token for <paramref name="email"/>; <paramref name="expires"/> adds an <c>exp</c> claim.</summary>
    public static string Create(string secret, string? email, DateTimeOffset? expires = null, string algorithm = "HS256")
    {
        var claims = new Dictionary<string, object>();
        if (email is not null)
            claims["email"] = email;
        if (expires is not null)
            claims["exp"] = expires.Value.ToUnixTimeSeconds();
        return Create(secret, claims, algorithm);
    }

    public static string Create(string secret, IReadOnlyDictionary<string, object> claims, string algorithm = "HS256")
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = algorithm, ["typ"] = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signed = header + "." + payload;
        return signed + "." + Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signed)));
    }

    /// <summary>The claims of a valid HS256 token, or null for a bad signature, another algorithm, an expired
    /// <c>exp</c>, a future <c>nbf</c> or anything that is not a token.</summary>
    public static JsonElement? Verify(string token, string secret, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
            return null;
        try
        {
            using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
            if (header.RootElement.ValueKind != JsonValueKind.Object ||
                !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
                return null;

            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(parts[0] + "." + parts[1]));
            if (!CryptographicOperations.FixedTimeEquals(expected, FromBase64Url(parts[2])))
                return null;

            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            var claims = payload.RootElement.Clone();
            if (claims.ValueKind != JsonValueKind.Object)
                return null;
            if (claims.TryGetProperty("exp", out var exp) && (exp.ValueKind != JsonValueKind.Number || exp.GetDouble() <= now.ToUnixTimeSeconds()))
                return null;
            if (claims.TryGetProperty("nbf", out var nbf) && (nbf.ValueKind != JsonValueKind.Number || nbf.GetDouble() > now.ToUnixTimeSeconds()))
                return null;
            return claims;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
