using System.Net;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>
/// A proxy that wants credentials answers 407: as a response (plain http through the proxy) or, for an https
/// CONNECT tunnel on .NET 5+, as an HttpRequestException carrying the status. Both are the proxy's verdict,
/// not the Zulip server's, and are never retried.
/// </summary>
public class ProxyFailureTests
{
    private static readonly Uri ProxyAddress = new("http://proxy.example.com:3128/");

    /// <summary>A login through the pool's kind of client, going through <see cref="ProxyAddress"/> (the handler plays the proxy).</summary>
    private static Task<ZulipApiException> Fetch(StubHandler handler) =>
        Assert.ThrowsAsync<ZulipApiException>(() =>
            new ZulipClient(ViaProxy(handler), TimeSpan.FromSeconds(5), TestSupport.UserAgent).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("Canary-Pw-1"), CancellationToken.None));

    private static PooledHttpClient ViaProxy(HttpMessageHandler handler) =>
        new(handler, new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = ProxyAddress }, new ExplicitProxy(ProxyAddress, null));

    [Fact]
    public async Task A407WhenNoProxyIsUsedIsTheServerItselfNotAProxy()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(407, string.Empty, null, ("Proxy-Authenticate", "Basic realm=\"corp\"")));
        var direct = new PooledHttpClient(handler, new TransportOptions { ProxyMode = ProxyMode.None }, null);

        var failure = await Assert.ThrowsAsync<ZulipApiException>(() =>
            new ZulipClient(direct, TimeSpan.FromSeconds(5), TestSupport.UserAgent).FetchApiKeyAsync(TestSupport.Server, "iago@zulip.com", TestSupport.Secure("Canary-Pw-1"), CancellationToken.None));

        Assert.Equal(ZulipErrorId.UnexpectedResponse, failure.ErrorId);
        Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, failure.StatusCode);
        Assert.Contains("the Zulip server itself (not a proxy)", failure.Message);
        Assert.Contains("chat.example.com", failure.Message);
        Assert.Null(new RetryPolicy(5, TimeSpan.FromSeconds(1)).NextDelay(failure, 0));
    }

    [Fact]
    public async Task A407AnswerIsTheProxyAskingForCredentials()
    {
        var handler = new StubHandler(_ => TestSupport.Answer(407, string.Empty, null, ("Proxy-Authenticate", "Basic realm=\"corp\"")));

        var failure = await Fetch(handler);

        Assert.Equal(ZulipErrorId.ProxyAuthenticationRequired, failure.ErrorId);
        Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, failure.StatusCode);
        Assert.Contains("-ProxyCredential", failure.Hint);
        Assert.Contains("proxy.example.com:3128", failure.Message);
        Assert.False(failure.IsTransient);
        Assert.Null(new RetryPolicy(5, TimeSpan.FromSeconds(1)).NextDelay(failure, 0));
    }

    [Fact]
    public async Task ARefusedTunnelIsTheProxyAskingForCredentials()
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("The proxy tunnel request to proxy 'http://proxy.example.com:3128/' failed with status code '407'.", null, HttpStatusCode.ProxyAuthenticationRequired)));

        var failure = await Fetch(handler);

        Assert.Equal(ZulipErrorId.ProxyAuthenticationRequired, failure.ErrorId);
        Assert.False(failure.IsTransient);
        Assert.DoesNotContain(TestSupport.ExposedText(failure), t => t.Contains("Canary-Pw-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnotherTunnelFailureIsStillAConnectionFailure()
    {
        var handler = new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("The proxy tunnel request to proxy 'http://proxy.example.com:3128/' failed with status code '502'.", null, HttpStatusCode.BadGateway)));

        var failure = await Fetch(handler);

        Assert.Equal(ZulipErrorId.ConnectionFailed, failure.ErrorId);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public void AnExplicitProxyIsNeverBypassedNotEvenForLoopback()
    {
        var address = new Uri("http://proxy.example.com:3128/");
        var credential = new NetworkCredential("svc", "Proxy-Pw-1");
        var proxy = new ExplicitProxy(address, credential);

        foreach (var target in new[] { "http://127.0.0.1:9991/", "https://localhost/", "http://[::1]/", "https://chat.example.com/" })
        {
            Assert.False(proxy.IsBypassed(new Uri(target)));
            Assert.Equal(address, proxy.GetProxy(new Uri(target)));
        }

        Assert.Same(credential, proxy.Credentials);
    }
}
