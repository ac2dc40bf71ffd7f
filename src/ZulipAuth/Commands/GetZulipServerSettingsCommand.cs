using System;
using System.Management.Automation;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Get-ZulipServerSettings: what an organization allows (password login, LDAP login names, external
    /// methods) and which Zulip it runs. Unauthenticated, so plain http needs no opt-in here.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZulipServerSettings")]
    [OutputType(typeof(ZulipServerSettings))]
    public sealed class GetZulipServerSettingsCommand : ZulipWebCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Site", "Realm")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerArgumentCompleter))]
        [UriToString]
        public string Server { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            Uri? server = null;
            try
            {
                server = ServerAddress.Normalize(Server);
                WriteVerbose($"GET {ServerAddress.Endpoint(server, "api/v1/server_settings")}");
                var settings = Send("Reading Zulip server settings", (client, token) => client.GetServerSettingsAsync(server, token));
                new LoginPreflight(Client).Remember(settings);
                WriteObject(settings);
            }
            catch (ZulipApiException failure)
            {
                WriteZulipError(failure, server);
            }
        }
    }
}
