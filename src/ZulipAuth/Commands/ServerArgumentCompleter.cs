using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>Completes -Server with the servers used in this session and the site of the default zuliprc.</summary>
    public sealed class ServerArgumentCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(LiteralBrackets(typed) + "*", WildcardOptions.IgnoreCase);
            return Candidates()
                .Where(site => pattern.IsMatch(site) || pattern.IsMatch(StripScheme(site)))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(site => site, StringComparer.OrdinalIgnoreCase)
                .Select(site => new CompletionResult(Quote(site), site, CompletionResultType.ParameterValue, site))
                .ToList();
        }

        private static IEnumerable<string> Candidates()
        {
            foreach (var server in ServerSettingsCache.KnownServers)
            {
                yield return server.GetLeftPart(UriPartial.Authority);
            }

            var site = ZulipRcFile.TryReadDefaultSite();
            if (site != null)
            {
                yield return site;
            }
        }

        /// <summary>
        /// Keeps * and ? as wildcards but reads [ and ] literally: in a server address they only ever enclose an
        /// IPv6 literal (http://[::1]:9991), never a character class, and an unclosed one would be an invalid pattern.
        /// </summary>
        private static string LiteralBrackets(string typed) => typed.Replace("[", "`[").Replace("]", "`]");

        private static string StripScheme(string site)
        {
            var index = site.IndexOf("://", StringComparison.Ordinal);
            return index < 0 ? site : site.Substring(index + 3);
        }

        private static string Quote(string site) =>
            site.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', '@', '&', '#', ',' }) >= 0 ? "'" + site.Replace("'", "''") + "'" : site;
    }
}
