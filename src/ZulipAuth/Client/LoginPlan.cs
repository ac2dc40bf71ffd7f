using System;
using System.Collections.Generic;

namespace ZulipAuth.Client
{
    /// <summary>What the preflight decided for a password login: where the password goes, and what to tell the user.</summary>
    internal sealed class LoginPlan
    {
        public LoginPlan(Uri target, IReadOnlyList<string> warnings, IReadOnlyList<string> notes)
        {
            Target = target;
            Warnings = warnings;
            Notes = notes;
        }

        /// <summary>The organization URL the password is posted to (scheme, host and port only).</summary>
        public Uri Target { get; }

        /// <summary>Things the user should know (a server announcing another host or an insecure URL).</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Details for the verbose stream.</summary>
        public IReadOnlyList<string> Notes { get; }
    }
}
