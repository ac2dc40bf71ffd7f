namespace System.Runtime.CompilerServices
{
    /// <summary>Lets net472 code use C# init-only setters (the type ships with .NET 5+, not with .NET Framework).</summary>
    internal static class IsExternalInit
    {
    }
}
