using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>-AuthenticationMethod completes the names in the server's external_authentication_methods, from the settings already read (no request while typing).</summary>
    public sealed class AuthenticationMethodCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            if (!(fakeBoundParameters["Server"] is string text))
            {
                return Enumerable.Empty<CompletionResult>();
            }

            ZulipServerSettings? settings;
            try
            {
                settings = ServerSettingsCache.ForCompletion(ServerAddress.Normalize(text));
            }
            catch (ZulipApiException)
            {
                return Enumerable.Empty<CompletionResult>();
            }

            var pattern = WildcardPattern.Get((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            return (settings?.ExternalAuthenticationMethods ?? Array.Empty<ZulipExternalAuthenticationMethod>())
                .Where(m => m.Name.Length > 0 && pattern.IsMatch(m.Name))
                .Select(m => new CompletionResult(m.Name.IndexOfAny(new[] { ' ', ':', '\'' }) >= 0 ? "'" + m.Name.Replace("'", "''") + "'" : m.Name, m.Name, CompletionResultType.ParameterValue, m.DisplayName ?? m.Name));
        }
    }
}
