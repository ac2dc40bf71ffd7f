using System.Net;
using System.Text;

namespace ZulipAuth.ModuleTests.Hostile;

/// <summary>
/// The secrets a hostile scenario hands the module, and every form in which one could come back: as is,
/// URL-encoded, form-encoded, and as the base64 of the Basic authorization (email:key).
/// </summary>
public static class Secrets
{
    public const string Password = ModuleTestBase.CanaryPassword;

    /// <summary>The key given to Test-ZulipApiKey (real keys are 32 characters [A-Za-z0-9]).</summary>
    public const string Key = "CanaryKey0123456789abcdefXYZwxyz";

    public static string FormEncoded(string value) => WebUtility.UrlEncode(value);

    public static string UrlEncoded(string value) => Uri.EscapeDataString(value);

    public static string Basic(string user, string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + key));

    /// <summary>What must never appear outside the requested output, with a label for the failure message.</summary>
    public static IReadOnlyList<(string Label, string Value)> All(string user) =>
    [
        ("password", Password),
        ("password url-encoded", UrlEncoded(Password)),
        ("password form-encoded", FormEncoded(Password)),
        ("password form-encoded (lower hex)", FormEncoded(Password).ToLowerInvariant()),
        ("key", Key),
        ("key base64 email:key", Basic(user, Key)),
        ("issued key", HostileServer.IssuedKey),
        ("issued key base64 email:key", Basic(HostileServer.Email, HostileServer.IssuedKey)),
    ];
}
