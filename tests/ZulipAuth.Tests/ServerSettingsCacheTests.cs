using RichardSzalay.MockHttp;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>The per-process cache of server settings used by the preflight.</summary>
public class ServerSettingsCacheTests
{
    private static async Task<ZulipServerSettings> SettingsFor(Uri server, string realmName)
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Get, new Uri(server, "api/v1/server_settings").AbsoluteUri).Respond("application/json",
            $$"""{"authentication_methods":{"password":true},"zulip_version":"9.2","zulip_feature_level":278,"realm_url":"{{server.GetLeftPart(UriPartial.Authority)}}","realm_name":"{{realmName}}","result":"success","msg":""}""");
        return await new ZulipClient(mock.ToHttpClient(), TimeSpan.FromSeconds(5), TestSupport.UserAgent).GetServerSettingsAsync(server, CancellationToken.None);
    }

    [Fact]
    public async Task SettingsAreCachedPerServer()
    {
        var a = new Uri($"https://cache-a-{Guid.NewGuid():N}.example.com/");
        var b = new Uri($"https://cache-b-{Guid.NewGuid():N}.example.com/");
        Assert.Null(ServerSettingsCache.TryGet(a));

        ServerSettingsCache.Set(await SettingsFor(a, "A"));
        ServerSettingsCache.Set(await SettingsFor(b, "B"));

        Assert.Equal("A", ServerSettingsCache.TryGet(a)?.RealmName);
        Assert.Equal("B", ServerSettingsCache.TryGet(b)?.RealmName);
        Assert.Contains(a, ServerSettingsCache.KnownServers);
        Assert.Contains(b, ServerSettingsCache.KnownServers);
    }

    [Fact]
    public async Task ANewerAnswerReplacesTheOlder()
    {
        var server = new Uri($"https://cache-c-{Guid.NewGuid():N}.example.com/");

        ServerSettingsCache.Set(await SettingsFor(server, "Old"));
        ServerSettingsCache.Set(await SettingsFor(server, "New"));

        Assert.Equal("New", ServerSettingsCache.TryGet(server)?.RealmName);
    }

    [Fact]
    public async Task ConcurrentUseIsSafe()
    {
        var servers = Enumerable.Range(0, 50).Select(i => new Uri($"https://cache-p{i}-{Guid.NewGuid():N}.example.com/")).ToArray();
        var settings = await Task.WhenAll(servers.Select(s => SettingsFor(s, s.Host)));

        await Task.WhenAll(settings.Select(s => Task.Run(() =>
        {
            ServerSettingsCache.Set(s);
            Assert.Equal(s.Server.Host, ServerSettingsCache.TryGet(s.Server)?.RealmName);
        })));

        Assert.All(servers, s => Assert.Equal(s.Host, ServerSettingsCache.TryGet(s)?.RealmName));
    }
}
