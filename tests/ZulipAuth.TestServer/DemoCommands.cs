using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace ZulipAuth.TestServer;

/// <summary>
/// Line commands the demo server reads on stdin, so a script driving the exe can flip switches like an
/// in-process test does. Each command answers one line: "ok", "ok &lt;value&gt;" or "error: &lt;reason&gt;".
/// </summary>
internal static class DemoCommands
{
    public const string Help =
        """
        Commands on stdin (one answer line each):
          stop                                   shut down
          set <Property> <value>                 any ServerBehaviour bool/int/double/string/enum property;
                                                 TimeSpan values in seconds; AcceptedHosts comma-separated;
                                                 "null" clears a string; WebLogin.<Property> for the web
                                                 sign-in switches (WebLogin.WaitForClick true)
          fault <Kind> [path|*] [count] [method] inject a FaultKind (count -1 = forever)
          clear-fault
          sso <github,google,gitlab,apple,azuread,saml,oidc|none>   external authentication methods
          revoke <email> | deactivate <email> | reactivate <email>
          count <path> [method]                  requests received so far
          proxy-stats                            "ok <tunnels> <requests> <auth challenges> <refused>"
          reset                                  clear faults, rate limits, user changes and recorded requests
          users                                  "ok <JSON>": the fixed accounts (name, email, login, password, key, ...)
          faults                                 "ok <JSON>": every FaultKind with what it answers
        """;

    /// <summary>Runs one command line and returns the answer line.</summary>
    public static string Execute(ZulipTestServer server, LoopbackConnectProxy? proxy, string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
            return "error: empty command";

        var behaviour = server.Behaviour;
        try
        {
            switch (words[0].ToLowerInvariant())
            {
                case "set" when words.Length >= 3:
                    // The rest of the line is the value, so a realm name may have spaces.
                    Set(behaviour, words[1], string.Join(' ', words[2..]));
                    return "ok";
                case "fault" when words.Length is >= 2 and <= 5:
                {
                    var kind = Enum.Parse<FaultKind>(words[1], ignoreCase: true);
                    var path = words.Length > 2 && words[2] != "*" ? words[2] : null;
                    var count = words.Length > 3 ? int.Parse(words[3], CultureInfo.InvariantCulture) : -1;
                    var method = words.Length > 4 ? words[4] : null;
                    behaviour.InjectFault(kind, path, count, method);
                    return "ok";
                }
                case "clear-fault":
                    behaviour.ClearFault();
                    return "ok";
                case "sso" when words.Length == 2:
                    behaviour.ExternalAuthenticationMethods = words[1] == "none"
                        ? []
                        : words[1].Split(',').Select(ExternalMethod).ToArray();
                    return "ok";
                case "revoke" when words.Length == 2:
                    // The new key is not printed: keys never go to any output. Fetch it through the API.
                    behaviour.RevokeApiKey(words[1]);
                    return "ok";
                case "deactivate" when words.Length == 2:
                    behaviour.SetUserActive(words[1], false);
                    return "ok";
                case "reactivate" when words.Length == 2:
                    behaviour.SetUserActive(words[1], true);
                    return "ok";
                case "count" when words.Length is 2 or 3:
                    return "ok " + server.CountRequests(words[1], words.Length == 3 ? words[2] : null).ToString(CultureInfo.InvariantCulture);
                case "proxy-stats" when proxy is not null:
                    return string.Create(CultureInfo.InvariantCulture,
                        $"ok {proxy.TunnelCount} {proxy.RequestCount} {proxy.AuthChallenges} {proxy.RefusedCount}");
                case "reset":
                    behaviour.ClearFault();
                    behaviour.ResetUsers();
                    server.ResetRateLimits();
                    server.ClearRequests();
                    return "ok";
                case "users" when words.Length == 1:
                    return "ok " + UsersJson();
                case "faults" when words.Length == 1:
                    return "ok " + FaultsJson();
                case "help":
                    return "ok " + Help.ReplaceLineEndings(" | ");
                default:
                    return $"error: unknown command '{words[0]}' (try help)";
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            return "error: " + e.Message;
        }
    }

    /// <summary>
    /// The fixed accounts as the scripts use them, so the Pester files and build.ps1 hold no copy. The
    /// initial keys only: a key made by "revoke" is never printed. JSON escapes every non-ASCII character,
    /// so the answer stays one line of ASCII whatever the console's encoding.
    /// </summary>
    internal static string UsersJson()
    {
        var names = typeof(TestUsers).GetNestedTypes(BindingFlags.Public)
            .Select(t => (Name: t.Name, Email: t.GetField("Email")?.GetRawConstantValue() as string))
            .Where(t => t.Email is not null)
            .ToDictionary(t => t.Email!, t => t.Name, StringComparer.OrdinalIgnoreCase);
        return JsonSerializer.Serialize(TestUsers.All.Select(u => new
        {
            Name = names[u.Email],
            u.Email,
            Login = u.LdapLoginName ?? u.Email,
            u.Password,
            u.ApiKey,
            u.UserId,
            u.FullName,
            Role = u.Role.ToString(),
            u.IsActive,
            u.Realm,
            u.PasswordResetRequired,
            u.BotType,
            u.BotOwnerId,
            Token = u.ServiceToken,
        }));
    }

    /// <summary>Every fault kind with its description (the attribute on <see cref="FaultKind"/>).</summary>
    internal static string FaultsJson() =>
        JsonSerializer.Serialize(Enum.GetValues<FaultKind>().Select(kind => new
        {
            Name = kind.ToString(),
            Description = typeof(FaultKind).GetField(kind.ToString())!.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? throw new InvalidOperationException($"FaultKind.{kind} has no description"),
        }));

    private static void Set(ServerBehaviour behaviour, string name, string text)
    {
        // WebLogin.<Property> reaches the web sign-in switches (WebLogin.WaitForClick for the demo).
        object target = behaviour;
        if (name.StartsWith("WebLogin.", StringComparison.OrdinalIgnoreCase))
        {
            target = behaviour.WebLogin;
            name = name["WebLogin.".Length..];
        }

        var property = target.GetType().GetProperties()
            .FirstOrDefault(p => p.CanWrite && p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"no settable property '{name}'");

        var type = property.PropertyType;
        object? value;
        if (type == typeof(bool))
            value = bool.Parse(text);
        else if (type == typeof(int))
            value = int.Parse(text, CultureInfo.InvariantCulture);
        else if (type == typeof(double))
            value = double.Parse(text, CultureInfo.InvariantCulture);
        else if (type == typeof(TimeSpan))
            value = TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));
        else if (type == typeof(string))
            value = text == "null" ? null : text;
        else if (type.IsEnum)
            value = Enum.Parse(type, text, ignoreCase: true);
        else if (type == typeof(IReadOnlyCollection<string>))
            value = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        else
            throw new ArgumentException($"'{property.Name}' cannot be set from the command line");

        property.SetValue(target, value);
    }

    private static ExternalAuthMethod ExternalMethod(string name) => name.ToLowerInvariant() switch
    {
        "github" => ExternalAuthMethod.GitHub(),
        "google" => ExternalAuthMethod.Google(),
        "gitlab" => ExternalAuthMethod.GitLab(),
        "apple" => ExternalAuthMethod.Apple(),
        "azuread" => ExternalAuthMethod.AzureAD(),
        "saml" => ExternalAuthMethod.Saml(),
        "oidc" => ExternalAuthMethod.OpenIdConnect(),
        _ => throw new ArgumentException($"unknown external method '{name}'"),
    };
}
