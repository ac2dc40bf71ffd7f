using System;
using System.Management.Automation;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Lets a <see cref="Uri"/> bind to a string -Server as its text. The module's own objects carry the server
    /// as a Uri (ZulipApiKey.Server, ZulipServerSettings.Server); without this, binding them by property name
    /// needs a type conversion, and PowerShell tries by-value-with-conversion first, so a parameter that is
    /// also ValueFromPipeline would receive the whole object's ToString() instead of its Server.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class UriToStringAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value is Uri uri ? uri.OriginalString : inputData;
        }
    }
}
