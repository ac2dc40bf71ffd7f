using System.Diagnostics;
using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A server that streams without end costs the caller at most the 1 MiB read limit: the call ends as soon as
/// the limit is passed, and the process allocates about that much, not what the server sends. Measured alone
/// (the allocation counter is process-wide).
/// </summary>
[Collection(SerialCollection.Name)]
public class ResponseSizeTests : ModuleTestBase
{
    [Fact]
    public void AnEndlessBodyIsCutOffAtTheLimitAndMemoryStaysFlat()
    {
        Behaviour.InjectFault(FaultKind.EndlessBody, "/api/v1/fetch_api_key", method: "POST");
        // Warm up the engine and the preflight, so the measurement below is the POST and its answer.
        Assert.Empty(Session.Run("Get-ZulipServerSettings -Server $args[0]", Http).Errors);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var result = GetKey(Http, Cred(TestUsers.Iago.Email, CanaryPassword));
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        AssertError(result.SingleError(), "ZulipUnexpectedResponse", ErrorCategory.InvalidResult);
        // The server would stream for 60 s at several MB/s; the client stops after 1 MiB.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"reading took {clock.Elapsed}");
        Assert.True(allocated < 32L * 1024 * 1024, $"the call allocated {allocated / 1024 / 1024} MiB");
    }
}
