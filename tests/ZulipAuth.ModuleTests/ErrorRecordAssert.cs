using System.Management.Automation;

namespace ZulipAuth.ModuleTests;

/// <summary>How an error reads at a console: what happened, then "Recommendation:" with what to do, nothing said twice.</summary>
internal static class ErrorRecordAssert
{
    public static void SaysWhatAndWhatToDoOnce(ErrorRecord error)
    {
        var details = error.ErrorDetails;
        Assert.NotNull(details);
        Assert.False(string.IsNullOrWhiteSpace(details!.Message), $"{error.FullyQualifiedErrorId}: no message");
        Assert.False(string.IsNullOrWhiteSpace(details.RecommendedAction), $"{error.FullyQualifiedErrorId}: no recommended action");
        Assert.DoesNotContain(details.RecommendedAction, details.Message, System.StringComparison.Ordinal);
    }
}
