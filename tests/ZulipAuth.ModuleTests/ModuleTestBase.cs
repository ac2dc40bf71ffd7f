using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// A fresh local Zulip server and a fresh runspace with the module imported, per test: no test sees another's
/// rate-limit history, faults or cached server settings (the cache is keyed by URL, and every server has its own port).
/// </summary>
public abstract class ModuleTestBase : IAsyncLifetime
{
    /// <summary>A password that must never appear anywhere but where it is sent.</summary>
    public const string CanaryPassword = "Canary-Pw-7f3a&=+%ü";

    protected ZulipTestServer Server { get; private set; } = null!;

    protected PsSession Session { get; private set; } = null!;

    protected ServerBehaviour Behaviour => Server.Behaviour;

    /// <summary>The server over plain http on 127.0.0.1 (loopback, so a password may go there without opting in).</summary>
    protected string Http => Server.HttpUrl;

    protected string Https => Server.HttpsUrl;

    public virtual async Task InitializeAsync()
    {
        Server = await ZulipTestServer.StartAsync();
        Session = new PsSession();
    }

    public virtual async Task DisposeAsync()
    {
        Session.Dispose();
        await Server.DisposeAsync();
    }

    protected static PSCredential Cred(string user, string password) => PsSession.Credential(user, password);

    protected PsResult GetKey(string server, PSCredential credential, string extra = "") =>
        Session.RunWith($"param($Server, $Credential) Get-ZulipApiKey -Server $Server -Credential $Credential {extra}",
            new Hashtable { ["Server"] = server, ["Credential"] = credential });

    protected int Posts => Server.CountRequests("/api/v1/fetch_api_key", "POST");

    protected static void AssertError(ErrorRecord error, string errorId, ErrorCategory category)
    {
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal("ZulipAuth.ZulipApiException", error.Exception.GetType().FullName);
    }

    /// <summary>After a failure or a stop: the same runspace must still fetch a key normally.</summary>
    protected void AssertTheRunspaceStillFetchesAKey(string extra = "")
    {
        Behaviour.ClearFault();
        var next = GetKey(Http, Cred(TestUsers.Iago.Email, TestUsers.Iago.Password), extra);
        Assert.Null(next.Terminating);
        Assert.Empty(next.Errors);
        Assert.Equal(TestUsers.Iago.Email, Assert.Single(next.Output).Properties["Email"].Value);
    }

    /// <summary>A loopback port nothing listens on (a connection there is refused).</summary>
    protected static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    protected static object? Prop(object exceptionOrObject, string name) =>
        exceptionOrObject.GetType().GetProperty(name)?.GetValue(exceptionOrObject);
}
