using System.Net;
using System.Text.RegularExpressions;

namespace ZulipAuth.TestServer.Http;

/// <summary>
/// Django's EmailValidator, which Zulip's validate_login_email uses ("Enter a valid email address.").
/// Close enough for tests: dot-atom or quoted local part, dotted hostname / "localhost" / [IP literal].
/// </summary>
internal static partial class EmailValidator
{
    private const int MaxLength = 320;

    public static bool IsValid(string value)
    {
        if (value.Length == 0 || value.Length > MaxLength)
            return false;

        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
            return false;

        var user = value[..at];
        var domain = value[(at + 1)..];
        if (!UserPart().IsMatch(user))
            return false;

        if (domain.Equals("localhost", StringComparison.OrdinalIgnoreCase) || DomainPart().IsMatch(domain))
            return true;

        var literal = LiteralPart().Match(domain);
        return literal.Success && IPAddress.TryParse(literal.Groups[1].Value, out _);
    }

    // \z, not $: Python's \Z is an absolute end, .NET's $ accepts a trailing newline.
    [GeneratedRegex("""(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\z|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"\z)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserPart();

    [GeneratedRegex(@"^((?:[A-Z0-9\u00a1-\uffff](?:[A-Z0-9\u00a1-\uffff-]{0,61}[A-Z0-9\u00a1-\uffff])?\.)+)(?:[A-Z0-9\u00a1-\uffff-]{2,63}(?<!-))\z",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DomainPart();

    [GeneratedRegex(@"^\[([A-F0-9:.]+)\]\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LiteralPart();
}
