using System.Linq;
using Xunit;

namespace ZulipAuth.Tests;

/// <summary>What scripts can reach as [ZulipAuth.*]: the cmdlets, their output types and the error types, never the client.</summary>
public class PublicSurfaceTests
{
    [Fact]
    public void NoClientTypeIsPublic()
    {
        var exported = typeof(ZulipApiKey).Assembly.GetExportedTypes();

        var client = exported.Where(t => t.Namespace != null && t.Namespace.StartsWith("ZulipAuth.Client", System.StringComparison.Ordinal)).Select(t => t.FullName).ToArray();

        Assert.True(client.Length == 0, "public by accident: " + string.Join(", ", client));
        Assert.Contains(typeof(ZulipApiException), exported);
        Assert.Contains(typeof(ZulipApiKey), exported);
    }
}
