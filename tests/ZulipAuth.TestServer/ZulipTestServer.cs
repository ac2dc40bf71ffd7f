using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZulipAuth.TestServer.Endpoints;
using ZulipAuth.TestServer.Http;

namespace ZulipAuth.TestServer;

/// <summary>
/// An in-process fake Zulip server for the login endpoints, on 127.0.0.1 over HTTP and HTTPS.
/// Start one per test (it is cheap), change <see cref="Behaviour"/> as needed, inspect <see cref="Requests"/>.
/// Nothing is logged: test output must never contain request data.
/// </summary>
public sealed class ZulipTestServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(1.5);

    private readonly WebApplication _app;
    private readonly ServerState _state;
    private readonly WebLoginEndpoints _webLogin;
    private readonly Lock _requestsGate = new();
    private readonly List<ReceivedRequest> _requests = [];
    private int _stopped;

    private ZulipTestServer(WebApplication app, ServerState state, X509Certificate2 certificate)
    {
        _app = app;
        _state = state;
        _webLogin = new WebLoginEndpoints(state);
        Certificate = certificate;
    }

    /// <summary>The switches; change them at any time.</summary>
    public ServerBehaviour Behaviour => _state.Behaviour;

    /// <summary>e.g. http://127.0.0.1:41234/ (Uri adds the trailing slash; see <see cref="HttpUrl"/>).</summary>
    public Uri HttpUri { get; private set; } = null!;

    /// <summary>e.g. https://127.0.0.1:41235/</summary>
    public Uri HttpsUri { get; private set; } = null!;

    /// <summary><see cref="HttpUri"/> without the trailing slash, e.g. "http://127.0.0.1:41234".</summary>
    public string HttpUrl => HttpUri.GetLeftPart(UriPartial.Authority);

    /// <summary><see cref="HttpsUri"/> without the trailing slash.</summary>
    public string HttpsUrl => HttpsUri.GetLeftPart(UriPartial.Authority);

    public int HttpPort => _state.HttpPort;

    public int HttpsPort => _state.HttpsPort;

    /// <summary>The self-signed certificate served on HTTPS (shared by every server in the process).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A snapshot of every request received so far, oldest first.</summary>
    public IReadOnlyList<ReceivedRequest> Requests
    {
        get { lock (_requestsGate) return _requests.ToArray(); }
    }

    /// <summary>How many requests went to <paramref name="path"/> (optionally with <paramref name="method"/>).</summary>
    public int CountRequests(string path, string? method = null)
    {
        lock (_requestsGate)
        {
            return _requests.Count(r =>
                string.Equals(r.Path, path, StringComparison.Ordinal) &&
                (method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)));
        }
    }

    public void ClearRequests()
    {
        lock (_requestsGate) _requests.Clear();
    }

    /// <summary>Forget all login attempts counted by the rate limit.</summary>
    public void ResetRateLimits() => _state.RateLimiter.ClearAll();

    /// <summary>
    /// Starts a server on 127.0.0.1 only: HTTP on <paramref name="httpPort"/> and HTTPS on
    /// <paramref name="httpsPort"/> (0 = a free port).
    /// </summary>
    public static async Task<ZulipTestServer> StartAsync(ServerBehaviour? behaviour = null, int httpPort = 0, int httpsPort = 0, TestServerTls? tls = null)
    {
        var state = new ServerState(behaviour ?? new ServerBehaviour());
        var certificate = tls?.ServerCertificate ?? TestCertificate.Instance;

        // The empty builder: no configuration files, no environment-driven URLs, no logging providers,
        // no developer exception page — only what is added here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ZulipTestServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        // The default console lifetime would hook Ctrl+C/SIGTERM of the whole (test) process.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            // HTTP/1.1 only: fault answers rely on HTTP/1.1 connection semantics (Connection: close, aborts).
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, httpsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (tls?.ClientCertificateAuthority is not null)
                    {
                        https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (client, _, _) => tls.Accepts(client);
                    }
                });
            });
        });

        var app = builder.Build();
        var server = new ZulipTestServer(app, state, certificate);
        app.Run(server.HandleAsync);

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            state.Stopping.Dispose();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        foreach (var address in addresses)
        {
            var uri = new Uri(address);
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                server.HttpsUri = uri;
                state.HttpsPort = uri.Port;
            }
            else
            {
                server.HttpUri = uri;
                state.HttpPort = uri.Port;
            }
        }

        return server;
    }

    /// <summary>Stops promptly: stalled and streaming answers are cancelled, open connections aborted.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;

        await _state.Stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Kestrel aborts whatever is left once the token fires.
            }
        }

        await _app.DisposeAsync();
        _state.Stopping.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task HandleAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _state.Stopping.Token);
        var cancellationToken = linked.Token;
        var request = context.Request;
        try
        {
            var parameters = await RequestParameters.ReadAsync(request, cancellationToken);
            Record(context, parameters);

            var fault = Behaviour.TakeFault(request.Method, request.Path.Value ?? "", request.IsHttps);
            if (fault != FaultKind.None && await Faults.RespondAsync(_state, context, fault, cancellationToken))
                return;

            await DispatchAsync(context, parameters, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Abort();
        }
        catch (Exception) when (!context.Response.HasStarted)
        {
            // Zulip's answer to an unexpected exception. Deliberately no details: they could echo input.
            context.Response.Clear();
            await ZulipJson.ErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal server error", null, CancellationToken.None);
        }
    }

    private Task DispatchAsync(HttpContext context, RequestParameters parameters, CancellationToken cancellationToken) =>
        context.Request.Path.Value switch
        {
            var path when _webLogin.Handles(path ?? "") => _webLogin.HandleAsync(context, parameters, cancellationToken),
            FetchApiKeyEndpoint.Path => FetchApiKeyEndpoint.HandleAsync(_state, context, parameters, cancellationToken),
            ServerSettingsEndpoint.Path => ServerSettingsEndpoint.HandleAsync(_state, context, cancellationToken),
            UsersMeEndpoint.Path => UsersMeEndpoint.HandleAsync(_state, context, cancellationToken),
            DevFetchApiKeyEndpoint.Path when Behaviour.DevelopmentEnvironment =>
                DevFetchApiKeyEndpoint.HandleAsync(_state, context, parameters, cancellationToken),
            { } path when KeyLifecycleEndpoints.Handles(path) =>
                KeyLifecycleEndpoints.HandleAsync(_state, context, parameters, cancellationToken),
            _ => ZulipErrors.NotFoundAsync(context, cancellationToken),
        };

    private void Record(HttpContext context, RequestParameters parameters)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var (authScheme, basicUser) = DescribeAuthorization(authorization);

        var entry = new ReceivedRequest
        {
            Timestamp = DateTimeOffset.UtcNow,
            Scheme = request.Scheme,
            Protocol = request.Protocol,
            Method = request.Method,
            Path = request.Path.Value ?? "",
            Query = RedactQuery(request.QueryString.Value),
            QueryKeys = parameters.QueryKeys,
            Host = request.Host.Value ?? "",
            ContentType = request.ContentType,
            UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
            HasAuthorization = request.Headers.Authorization.Count > 0,
            AuthorizationScheme = authScheme,
            BasicAuthUser = basicUser,
            FormKeys = parameters.FormKeys,
            HadPasswordField = parameters.Has("password"),
            SubmittedUsername = parameters.Get("username"),
        };

        lock (_requestsGate) _requests.Add(entry);
    }

    /// <summary>The scheme word and, for Basic, the user part. The secret part is dropped right here.</summary>
    private static (string? Scheme, string? BasicUser) DescribeAuthorization(string header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return (null, null);

        var parts = header.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (!parts[0].Equals("Basic", StringComparison.OrdinalIgnoreCase) || parts.Length < 2)
            return (parts[0], null);

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1].Trim()));
            var colon = decoded.IndexOf(':');
            return (parts[0], colon >= 0 ? decoded[..colon] : null);
        }
        catch (FormatException)
        {
            return (parts[0], null);
        }
    }

    /// <summary>The query string with secret-looking values replaced, so it can never leak a password.</summary>
    private static string RedactQuery(string? query)
    {
        if (string.IsNullOrEmpty(query))
            return "";

        var pieces = query.TrimStart('?').Split('&');
        for (var i = 0; i < pieces.Length; i++)
        {
            var equals = pieces[i].IndexOf('=');
            if (equals < 0)
                continue;
            var name = Uri.UnescapeDataString(pieces[i][..equals].Replace('+', ' '));
            if (LooksSecret(name))
                pieces[i] = pieces[i][..(equals + 1)] + "[redacted]";
        }

        return "?" + string.Join('&', pieces);
    }

    private static bool LooksSecret(string name) =>
        name.Contains("pass", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("key", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("secret", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("token", StringComparison.OrdinalIgnoreCase);

    /// <summary>Host lifetime that ignores process signals; the owner (test or Program) decides when to stop.</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
