using System.Collections;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ZulipAuth.Commands
{
    /// <summary>"ZulipAuth/0.1.0 (Core 7.4.6; Linux ...)": lets a server's administrator see which client and runtime logged in.</summary>
    internal static class UserAgent
    {
        private static string? value;

        public static string Get(PSCmdlet cmdlet)
        {
            if (value != null)
            {
                return value;
            }

            var table = cmdlet.SessionState.PSVariable.GetValue("PSVersionTable") as Hashtable;
            var edition = table?["PSEdition"]?.ToString() ?? "Desktop";
            var version = table?["PSVersion"]?.ToString() ?? "unknown";
            var module = typeof(UserAgent).Assembly.GetName().Version;
            var moduleVersion = $"{module.Major}.{module.Minor}.{module.Build}";
            value = $"ZulipAuth/{moduleVersion} ({edition} {version}; {RuntimeInformation.OSDescription.Trim()})";
            return value;
        }
    }
}
