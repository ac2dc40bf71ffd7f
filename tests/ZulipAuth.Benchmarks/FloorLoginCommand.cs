using System.Collections.Concurrent;
using System.Management.Automation;

namespace ZulipAuth.Benchmarks;

/// <summary>
/// The engine floor: the raw HttpClient call inside the least a binary cmdlet can be, with Get-ZulipApiKey's
/// parameter declarations. Between the floor and this lies PowerShell's own cost (command lookup, binding,
/// the pipeline); between this and Get-ZulipApiKey lies the module's.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "FloorLogin")]
[OutputType(typeof(string))]
public sealed class FloorLoginCommand : PSCmdlet
{
    public const string Name = "Invoke-FloorLogin";

    // One client per server for the life of the process, as the module pools its clients: keep-alive throughout.
    private static readonly ConcurrentDictionary<string, FloorClient> Clients = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Server { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Credential]
    [ValidateNotNull]
    public PSCredential Credential { get; set; } = null!;

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    protected override void ProcessRecord()
    {
        var client = Clients.GetOrAdd(Server, server => new FloorClient(server));
        WriteObject(client.FetchApiKey(Credential.UserName, Credential.GetNetworkCredential().Password));
    }
}
