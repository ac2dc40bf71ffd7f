using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using System.Text.Json;

namespace ZulipAuth.Benchmarks;

/// <summary>
/// The floor: the least a correct client does for one login. One pooled HttpClient (keep-alive) sends the request
/// Get-ZulipApiKey sends (same form body, same Content-Type with its charset, same Accept, a User-Agent of the same
/// length), so the server does the same work for both; the JSON answer is read for the key. No preflight, no
/// SecureString, no PowerShell.
/// </summary>
public sealed class FloorClient : IDisposable
{
    private static readonly MediaTypeHeaderValue FormType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly HttpClient client;
    private readonly Uri endpoint;
    private readonly string userAgent;

    public FloorClient(string server)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            // The test server's certificate is self-signed; the module runs with -SkipCertificateCheck to match.
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = delegate { return true; } },
        };
        client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        endpoint = new Uri(server.TrimEnd('/') + "/api/v1/fetch_api_key");
        userAgent = $"ZulipFloor/0.1.0 (Core {typeof(System.Management.Automation.PSObject).Assembly.GetName().Version}; {System.Runtime.InteropServices.RuntimeInformation.OSDescription})";
    }

    /// <summary>One login; returns the API key, synchronously as the cmdlet runs on the pipeline thread.</summary>
    public string FetchApiKey(string username, string password) => FetchApiKeyAsync(username, password).GetAwaiter().GetResult();

    private async Task<string> FetchApiKeyAsync(string username, string password)
    {
        var body = Encoding.UTF8.GetBytes($"username={Uri.EscapeDataString(username)}&password={Uri.EscapeDataString(password)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = FormType;
        request.Headers.Accept.Add(Json);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The floor client got HTTP {(int)response.StatusCode}.");
        }

        using var json = JsonDocument.Parse(answer);
        var root = json.RootElement;
        _ = root.GetProperty("email").GetString();
        _ = root.GetProperty("user_id").GetInt32();
        return root.GetProperty("api_key").GetString() ?? throw new InvalidOperationException("No api_key in the answer.");
    }

    public void Dispose() => client.Dispose();
}
