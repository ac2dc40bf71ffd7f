using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Server settings per server for a few minutes, shared by every runspace in the process, so a bulk job
    /// reads them once rather than before every login. Also remembers which servers were used (for completion).
    /// An entry is keyed by the server and by the trust under which it was read (certificate checking, proxy
    /// mode and proxy): settings read with -SkipCertificateCheck or through a proxy never steer a call made
    /// with other trust.
    /// </summary>
    internal static class ServerSettingsCache
    {
        public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

        private static readonly ConcurrentDictionary<(Uri Server, string Trust), Entry> Entries = new ConcurrentDictionary<(Uri Server, string Trust), Entry>();
        private static readonly ConcurrentDictionary<Uri, byte> UsedServers = new ConcurrentDictionary<Uri, byte>();

        /// <summary>The cached settings when still fresh; otherwise null.</summary>
        public static ZulipServerSettings? TryGet(Uri server, string trust = "")
        {
            return Entries.TryGetValue((server, trust), out var entry) && entry.Expires > DateTime.UtcNow ? entry.Settings : null;
        }

        /// <summary>
        /// Fresh settings of <paramref name="server"/> read under any trust, for tab completion only: they choose
        /// nothing about where a secret goes, they only offer names to type.
        /// </summary>
        public static ZulipServerSettings? ForCompletion(Uri server)
        {
            var now = DateTime.UtcNow;
            return Entries.Where(e => e.Key.Server == server && e.Value.Expires > now).Select(e => e.Value.Settings).FirstOrDefault();
        }

        public static void Set(ZulipServerSettings settings, string trust = "")
        {
            Entries[(settings.Server, trust)] = new Entry(settings, DateTime.UtcNow + Lifetime);
            RememberServer(settings.Server);
        }

        public static void RememberServer(Uri server) => UsedServers[server] = 0;

        /// <summary>Servers used in this process, for argument completion.</summary>
        public static IReadOnlyCollection<Uri> KnownServers => UsedServers.Keys.ToArray();

        /// <summary>Forgets everything (tests, and a server that changed its settings).</summary>
        public static void Clear()
        {
            Entries.Clear();
        }

        private sealed class Entry
        {
            public Entry(ZulipServerSettings settings, DateTime expires)
            {
                Settings = settings;
                Expires = expires;
            }

            public ZulipServerSettings Settings { get; }

            public DateTime Expires { get; }
        }
    }
}
