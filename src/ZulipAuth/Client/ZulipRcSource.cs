using System;
using System.Collections.Generic;
using System.Linq;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Which zuliprc Import-ZulipRc reads when no -Path is given, decided here alone so that the -Server completer
    /// offers the same site: all three of ZULIP_EMAIL, ZULIP_API_KEY and ZULIP_SITE; else the file ZULIP_CONFIG
    /// names; else $HOME/.zuliprc. The Python bindings mix the three variables with the file's values one by
    /// one, which can pair one account's email with another's key; all three or none is the unambiguous rule.
    /// </summary>
    internal sealed class ZulipRcSource
    {
        public static readonly string[] AccountVariables = { "ZULIP_EMAIL", "ZULIP_API_KEY", "ZULIP_SITE" };

        private ZulipRcSource(string? path, string? origin, string? email, string? key, string? site, string[] partialVariables)
        {
            Path = path;
            Origin = origin;
            EnvironmentEmail = email;
            EnvironmentKey = key;
            EnvironmentSite = site;
            UnsetVariables = partialVariables;
        }

        /// <summary>The file to read; null when the three variables are used.</summary>
        public string? Path { get; }

        /// <summary>Who named the file ("named by ZULIP_CONFIG"), or null for the default file.</summary>
        public string? Origin { get; }

        public string? EnvironmentEmail { get; }

        public string? EnvironmentKey { get; }

        public string? EnvironmentSite { get; }

        /// <summary>The account variables left unset while others are set (they are then ignored, with a warning).</summary>
        public IReadOnlyList<string> UnsetVariables { get; }

        /// <param name="resolvePath">Turns ZULIP_CONFIG into a full path, as -Path would be (relative to the PowerShell location, ~ expanded).</param>
        public static ZulipRcSource Locate(Func<string, string> resolvePath)
        {
            var values = AccountVariables.Select(Environment.GetEnvironmentVariable).ToArray();
            if (values.All(v => !string.IsNullOrEmpty(v)))
            {
                return new ZulipRcSource(null, null, values[0], values[1], values[2], Array.Empty<string>());
            }

            var unset = values.Any(v => !string.IsNullOrEmpty(v)) ? AccountVariables.Where((n, i) => string.IsNullOrEmpty(values[i])).ToArray() : Array.Empty<string>();
            var configured = Environment.GetEnvironmentVariable("ZULIP_CONFIG");
            return string.IsNullOrEmpty(configured)
                ? new ZulipRcSource(ZulipRcFile.DefaultPath, null, null, null, null, unset)
                : new ZulipRcSource(resolvePath(configured!), "named by ZULIP_CONFIG", null, null, null, unset);
        }
    }
}
