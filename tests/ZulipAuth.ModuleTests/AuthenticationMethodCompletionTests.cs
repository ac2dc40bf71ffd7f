using System.Management.Automation;
using ZulipAuth.TestServer;

namespace ZulipAuth.ModuleTests;

/// <summary>
/// Tab completion of -AuthenticationMethod, through TabExpansion2 as the console runs it: the names in the
/// server's external_authentication_methods, from settings this session has already read (typing sends nothing).
/// </summary>
public sealed class AuthenticationMethodCompletionTests : ModuleTestBase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Behaviour.ExternalAuthenticationMethods = [ExternalAuthMethod.GitHub(), ExternalAuthMethod.Saml()];
    }

    private void ReadSettings() => Assert.Empty(Session.Run("Get-ZulipServerSettings -Server $args[0] -SkipCertificateCheck", Https).Errors);

    private List<CompletionResult> TabExpansion(string line)
    {
        var result = Session.Run("(TabExpansion2 $args[0] $args[0].Length).CompletionMatches", line);
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        return result.Output.Select(o => (CompletionResult)o.BaseObject).ToList();
    }

    [Fact]
    public void OffersTheServersMethodsQuotingThoseWithAColon()
    {
        ReadSettings();

        var matches = TabExpansion($"Get-ZulipApiKey -Server {Https} -Web -AuthenticationMethod ");

        Assert.Equal(["github", "'saml:okta'"], matches.Select(m => m.CompletionText));
        Assert.Equal(["github", "saml:okta"], matches.Select(m => m.ListItemText));
        Assert.All(matches, m => Assert.Equal(CompletionResultType.ParameterValue, m.ResultType));
    }

    [Theory]
    [InlineData("sa", "'saml:okta'")]
    [InlineData("GIT", "github")]
    [InlineData("*okta", "'saml:okta'")]
    public void MatchesWhatWasTypedAsAWildcard(string typed, string expected)
    {
        ReadSettings();

        Assert.Equal([expected], TabExpansion($"Get-ZulipApiKey -Server {Https} -Web -AuthenticationMethod {typed}").Select(m => m.CompletionText));
    }

    [Fact]
    public void OffersNothingAndSendsNothingForAServerNotYetRead()
    {
        var matches = TabExpansion($"Get-ZulipApiKey -Server {Https} -Web -AuthenticationMethod ");

        Assert.Empty(matches);
        Assert.Equal(0, Server.CountRequests("/api/v1/server_settings"));
    }
}
