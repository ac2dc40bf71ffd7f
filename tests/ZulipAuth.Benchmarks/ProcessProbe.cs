using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace ZulipAuth.Benchmarks;

/// <summary>What a leak would show: the managed heap after a full collection, the working set, open file
/// descriptors, sockets, and TCP connections to the server. Linux reads /proc; elsewhere the counts are -1.</summary>
public sealed record ProcessSnapshot(long HeapBytes, long WorkingSetBytes, int OpenFiles, int Sockets, int ConnectionsToServer)
{
    public static ProcessSnapshot Take(int serverPort)
    {
        var heap = ProcessProbe.HeapAfterFullCollection();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var (files, sockets) = ProcessProbe.FileDescriptors();
        return new ProcessSnapshot(heap, self.WorkingSet64, files, sockets, ProcessProbe.ClientConnectionsTo(serverPort));
    }
}

public static class ProcessProbe
{
    /// <summary>Bytes live on the managed heap once everything collectable is gone (finalizers included).</summary>
    public static long HeapAfterFullCollection()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>All open descriptors of this process, and how many of them are sockets.</summary>
    public static (int Files, int Sockets) FileDescriptors()
    {
        const string fdDir = "/proc/self/fd";
        if (!Directory.Exists(fdDir))
        {
            return (-1, -1);
        }

        int files = 0, sockets = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries(fdDir))
        {
            files++;
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    sockets++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed between listing and reading: it is not open any more.
            }
        }

        return (files, sockets);
    }

    /// <summary>
    /// TCP connections, in any state, whose remote end is <paramref name="port"/> on this machine: a client
    /// that opened a connection per call would leave one in TIME_WAIT per call here. The in-process server's
    /// own ends (local port = <paramref name="port"/>) are not counted.
    /// </summary>
    public static int ClientConnectionsTo(int port)
    {
        var count = 0;
        var any = false;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            any = true;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // "  sl  local_address rem_address   st ..." with addresses as HEXIP:HEXPORT.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && PortOf(fields[2]) == port && fields[3] != "0A")
                {
                    count++;
                }
            }
        }

        return any ? count : -1;
    }

    private static int PortOf(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon >= 0 && int.TryParse(address.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port) ? port : -1;
    }
}
