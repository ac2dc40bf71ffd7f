using System.Runtime.CompilerServices;
using System.Threading;

namespace ZulipAuth.Tests;

/// <summary>
/// Some tests block pool threads on purpose (a reader racing a writer, a python3 subprocess, synchronous waits); with
/// the pool's default minimum of one thread per core (2 here) a timeout's timer callback then waited for the pool to
/// grow, and a 1 s deadline was measured at 2-3 s. Enough threads from the start keep the deadlines the tests time honest.
/// </summary>
internal static class ThreadPoolWarmth
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
