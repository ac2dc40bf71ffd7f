using System.Net;
using System.Text.RegularExpressions;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A scripted stand-in for the browser: follows the SSO chain over HTTP by hand (no automatic redirects, so each
/// hop is seen) and returns where it ends: the zulip:// Location, or the desktop redirect page's token.
/// </summary>
public static partial class BrowserStandIn
{
    private static readonly HttpClient Client = new(new HttpClientHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The final non-http(s) Location (zulip://…), or the 200 page's body.</summary>
    public static (string? ZulipUrl, string? Page) Follow(string url)
    {
        var current = new Uri(url);
        for (var hop = 0; hop < 10; hop++)
        {
            using var response = Client.GetAsync(current).GetAwaiter().GetResult();
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                // The text as sent, read before anything parses it: .NET's parsed Location turns zulip://login?… into
                // zulip://login/?…, and a browser hands on what the server wrote.
                var raw = response.Headers.NonValidated["Location"].Single();
                var location = new Uri(raw, UriKind.RelativeOrAbsolute);
                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (next.Scheme is not ("http" or "https"))
                    return (raw, null);
                current = next;
                continue;
            }

            return (null, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>The encrypted token of Zulip's desktop_redirect.html (#desktop-data).</summary>
    public static string DesktopToken(string page) => DesktopData().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No #desktop-data on the page.");

    [GeneratedRegex("id=\"desktop-data\" readonly value=\"([0-9a-f]+)\"")]
    private static partial Regex DesktopData();

    [GeneratedRegex(@"https?://\S+desktop_flow_otp=[0-9a-f]{64}")]
    public static partial Regex DesktopLink();
}
