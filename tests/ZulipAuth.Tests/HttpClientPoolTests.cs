using System.Net;
using System.Reflection;
using Xunit;
using ZulipAuth.Client;

namespace ZulipAuth.Tests;

/// <summary>One pooled HttpClient per distinct set of transport options.</summary>
public class HttpClientPoolTests
{
    private static readonly Uri ProxyA = new("http://proxy-a.example.com:3128/");
    private static readonly Uri ProxyB = new("http://proxy-b.example.com:3128/");

    private static TransportOptions Explicit(Uri proxy, NetworkCredential? credential = null) =>
        new() { ProxyMode = ProxyMode.Explicit, Proxy = proxy, ProxyCredential = credential };

    [Fact]
    public void EqualOptionsShareOneClient()
    {
        var a = HttpClientPool.Get(new TransportOptions());
        var b = HttpClientPool.Get(new TransportOptions());

        Assert.Same(a, b);
        Assert.Same(a, HttpClientPool.Get(TransportOptions.Default));
    }

    [Fact]
    public void EqualExplicitProxiesWithEqualCredentialsShareOneClient()
    {
        var a = HttpClientPool.Get(Explicit(ProxyA, new NetworkCredential("svc", "Proxy-Pw-1")));
        var b = HttpClientPool.Get(Explicit(new Uri(ProxyA.AbsoluteUri), new NetworkCredential("svc", "Proxy-Pw-1")));

        Assert.Same(a, b);
    }

    [Fact]
    public void SkipCertificateCheckGetsItsOwnClient()
    {
        var checking = HttpClientPool.Get(new TransportOptions());
        var skipping = HttpClientPool.Get(new TransportOptions { SkipCertificateCheck = true });

        Assert.NotSame(checking, skipping);
        Assert.Same(skipping, HttpClientPool.Get(new TransportOptions { SkipCertificateCheck = true }));
    }

    [Fact]
    public void EachProxySettingGetsItsOwnClient()
    {
        var clients = new[]
        {
            HttpClientPool.Get(new TransportOptions()),
            HttpClientPool.Get(new TransportOptions { ProxyMode = ProxyMode.None }),
            HttpClientPool.Get(Explicit(ProxyA)),
            HttpClientPool.Get(Explicit(ProxyB)),
            HttpClientPool.Get(new TransportOptions { ProxyUseDefaultCredentials = true }),
            HttpClientPool.Get(Explicit(ProxyA, new NetworkCredential("svc", "Proxy-Pw-1"))),
        };

        Assert.Equal(clients.Length, clients.Distinct().Count());
    }

    [Fact]
    public void ADifferentProxyPasswordGetsItsOwnClient()
    {
        var first = HttpClientPool.Get(Explicit(ProxyA, new NetworkCredential("svc", "Proxy-Pw-1")));
        var second = HttpClientPool.Get(Explicit(ProxyA, new NetworkCredential("svc", "Proxy-Pw-2")));
        var otherUser = HttpClientPool.Get(Explicit(ProxyA, new NetworkCredential("svc2", "Proxy-Pw-1")));
        var otherDomain = HttpClientPool.Get(Explicit(ProxyA, new NetworkCredential("svc", "Proxy-Pw-1", "CORP")));

        Assert.Equal(4, new[] { first, second, otherUser, otherDomain }.Distinct().Count());
    }

    [Fact]
    public async Task ConcurrentFirstUseCreatesOneClient()
    {
        var options = Explicit(new Uri("http://proxy-concurrent.example.com:8080/"), new NetworkCredential("svc", Guid.NewGuid().ToString()));

        var clients = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
            HttpClientPool.Get(new TransportOptions { ProxyMode = options.ProxyMode, Proxy = options.Proxy, ProxyCredential = new NetworkCredential("svc", options.ProxyCredential!.Password) }))));

        Assert.Single(clients.Distinct());
    }

    [Fact]
    public void ANewDefaultProxyGetsANewSystemProxyClientAndTheOldOneComesBack()
    {
        // HttpClient.DefaultProxy is process-wide; the other tests of this class (run one after another) are
        // the only ones here that use the system-proxy client, and it is put back before the end.
        var original = HttpClient.DefaultProxy;
        var before = HttpClientPool.Get(new TransportOptions());
        try
        {
            HttpClient.DefaultProxy = new WebProxy("http://proxy-default.example.com:3128/");
            var afterChange = HttpClientPool.Get(new TransportOptions());

            Assert.NotSame(before, afterChange);
            Assert.Same(afterChange, HttpClientPool.Get(new TransportOptions()));
            Assert.Same(HttpClientPool.Get(new TransportOptions { ProxyMode = ProxyMode.None }), HttpClientPool.Get(new TransportOptions { ProxyMode = ProxyMode.None }));
        }
        finally
        {
            HttpClient.DefaultProxy = original;
        }

        Assert.Same(before, HttpClientPool.Get(new TransportOptions()));
    }

    [Fact]
    public void PooledClientsHaveNoOverallTimeoutOfTheirOwn()
    {
        // Timeouts are per request; a 100 s HttpClient.Timeout would cut -TimeoutSec 0 or 300 short.
        Assert.Equal(Timeout.InfiniteTimeSpan, HttpClientPool.Get(new TransportOptions()).Timeout);
    }
}

/// <summary>TransportOptions equality, which keys the pool.</summary>
public class TransportOptionsTests
{
    private static readonly Uri Proxy = new("http://proxy.example.com:3128/");

    [Fact]
    public void EqualSettingsAreEqualWithEqualHashCodes()
    {
        var a = new TransportOptions { SkipCertificateCheck = true, ProxyMode = ProxyMode.Explicit, Proxy = Proxy, ProxyCredential = new NetworkCredential("svc", "Proxy-Pw-1") };
        var b = new TransportOptions { SkipCertificateCheck = true, ProxyMode = ProxyMode.Explicit, Proxy = new Uri("http://PROXY.example.com:3128"), ProxyCredential = new NetworkCredential("svc", "Proxy-Pw-1") };

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(new TransportOptions(), TransportOptions.Default);
    }

    [Fact]
    public void EachSettingMakesADifference()
    {
        var options = new[]
        {
            new TransportOptions(),
            new TransportOptions { SkipCertificateCheck = true },
            new TransportOptions { ProxyMode = ProxyMode.None },
            new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = Proxy },
            new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = new Uri("http://proxy.example.com:8080/") },
            new TransportOptions { ProxyUseDefaultCredentials = true },
            new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = Proxy, ProxyCredential = new NetworkCredential("svc", "Proxy-Pw-1") },
            new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = Proxy, ProxyCredential = new NetworkCredential("svc", "Proxy-Pw-2") },
            new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = Proxy, ProxyCredential = new NetworkCredential("svc", "") },
        };

        for (var i = 0; i < options.Length; i++)
        {
            for (var j = 0; j < options.Length; j++)
            {
                Assert.Equal(i == j, options[i].Equals(options[j]));
            }
        }

        Assert.False(options[0].Equals(null));
        Assert.False(options[0].Equals("not options"));
    }

    [Fact]
    public void ThePoolKeyHoldsAHashOfTheProxyPasswordNotThePassword()
    {
        const string password = "Proxy-Canary-Pw-9c1d";
        var options = new TransportOptions { ProxyMode = ProxyMode.Explicit, Proxy = Proxy, ProxyCredential = new NetworkCredential("svc-user", password) };
        var keyProperty = typeof(TransportOptions).GetProperty("Key", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(keyProperty);

        var key = (string)keyProperty!.GetValue(options)!;

        Assert.DoesNotContain(password, key);
        Assert.DoesNotContain("svc-user", key);
        Assert.Contains("proxy.example.com", key);
    }
}
