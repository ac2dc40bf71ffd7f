using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// What every cmdlet that talks to a server shares: the transport parameters (named as on
    /// Invoke-RestMethod), the pooled client, Ctrl+C, and the retry loop. Requests run synchronously on the
    /// pipeline thread, so every Write* call happens there; StopProcessing only cancels a token.
    /// A key bound to the cmdlet (from Import-ZulipRc, say) brings its TLS settings: <see cref="Client"/> uses
    /// them for that key unless the corresponding parameters were given, so every cmdlet that takes a key
    /// honours them without code of its own.
    /// </summary>
    public abstract class ZulipWebCmdlet : PSCmdlet, IDisposable
    {
        private const int RetryProgressId = 0x5A17;

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly Dictionary<string, ZulipClient> keyClients = new Dictionary<string, ZulipClient>(StringComparer.Ordinal);
        private readonly HashSet<Uri> warnedUnchecked = new HashSet<Uri>();
        private ZulipClient? client;
        private RetryPolicy? retryPolicy;
        private TransportOptions? parameterOptions;

        /// <summary>Seconds for connecting and reading the whole answer; 0, or more than the platform can time (about 24.8 days), waits forever.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Retries for 429, 502, 503, 504 and connection failures; never for a rejected credential.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaximumRetryCount { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int RetryIntervalSec { get; set; } = 5;

        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        [Parameter]
        public Uri? Proxy { get; set; }

        [Parameter]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        [Parameter]
        public SwitchParameter ProxyUseDefaultCredentials { get; set; }

        [Parameter]
        public SwitchParameter NoProxy { get; set; }

        /// <summary>A PEM file of CA certificates that alone are trusted for the server's certificate in this call.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CertificateBundle { get; set; }

        /// <summary>A client certificate (with its private key) for servers that ask for one.</summary>
        [Parameter]
        [ValidateNotNull]
        public X509Certificate? Certificate { get; set; }

        /// <summary>The thumbprint of a client certificate in CurrentUser\My.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        protected CancellationToken CancelToken => stopping.Token;

        /// <summary>
        /// Whether the user opted in to secrets over plain http; a cmdlet with -AllowUnencryptedAuthentication
        /// returns it. Every request of <see cref="Client"/> that carries a secret is checked against it.
        /// </summary>
        protected virtual bool AllowsUnencryptedAuthentication => false;

        /// <summary>
        /// The client for the current input: the parameters' transport, with the TLS settings of the key being
        /// processed (<see cref="KeyInUse"/>) where no parameter overrides them. Throws ZulipApiException when the
        /// key's certificate files cannot be used; that failure belongs to the one input.
        /// </summary>
        private protected ZulipClient Client
        {
            get
            {
                var current = client ?? throw new InvalidOperationException("BeginProcessing has not run.");
                var key = KeyInUse;
                return key == null ? current : ClientForKey(key);
            }
        }

        /// <summary>The full path of -CertificateBundle, when given (for keys that record what they were fetched with).</summary>
        protected string? CertificateBundlePath => parameterOptions?.CertificateBundle;

        /// <summary>
        /// The key whose TLS settings apply to the current input: by default the ZulipApiKey bound to any parameter
        /// (a key from the pipeline is bound anew for each record), so a new cmdlet taking a key gets this by construction.
        /// </summary>
        protected virtual ZulipApiKey? KeyInUse => MyInvocation.BoundParameters.Values.OfType<ZulipApiKey>().FirstOrDefault();

        protected override void BeginProcessing()
        {
            var options = BuildTransportOptions();
            parameterOptions = options;
            client = NewClient(options);
            retryPolicy = new RetryPolicy(MaximumRetryCount, TimeSpan.FromSeconds(RetryIntervalSec));
            if (SkipCertificateCheck)
            {
                WriteWarning("-SkipCertificateCheck: the server's TLS certificate is not checked, so anyone on the network path could read the credentials. Use it only for test servers.");
            }
        }

        private ZulipClient NewClient(TransportOptions options) =>
            new ZulipClient(HttpClientPool.Get(options), TimeSpan.FromSeconds(TimeoutSec), UserAgent.Get(this))
            {
                AllowUnencryptedAuthentication = AllowsUnencryptedAuthentication,
            };

        private bool TrustGivenAsParameter => SkipCertificateCheck || CertificateBundle != null;

        private bool ClientCertificateGivenAsParameter => Certificate != null || CertificateThumbprint != null;

        private ZulipClient ClientForKey(ZulipApiKey key)
        {
            var skip = !TrustGivenAsParameter && key.SkipCertificateCheck;
            // As python-zulip-api: insecure=true wins over cert_bundle.
            var bundle = TrustGivenAsParameter || skip ? null : key.CertificateBundle;
            var clientCertificate = ClientCertificateGivenAsParameter ? null : key.ClientCertificate;
            var clientKey = clientCertificate == null ? null : key.ClientCertificateKey;
            if (!skip && bundle == null && clientCertificate == null)
            {
                return client!;
            }

            // Once per server and command, however many of its keys come down the pipeline.
            if (skip && warnedUnchecked.Add(key.Server))
            {
                WriteWarning($"The key of {key.Email} on {key.Server} was read or fetched with certificate checking off (insecure=true, or -SkipCertificateCheck), so the server's TLS certificate is not checked for it and anyone on the network path could read the key. Give -CertificateBundle to check it against your CA instead.");
            }

            var id = string.Join("\0", skip, bundle, clientCertificate, clientKey);
            if (keyClients.TryGetValue(id, out var known))
            {
                return known;
            }

            var options = parameterOptions!;
            var combined = new TransportOptions
            {
                SkipCertificateCheck = skip || options.SkipCertificateCheck,
                ProxyMode = options.ProxyMode,
                Proxy = options.Proxy,
                ProxyCredential = options.ProxyCredential,
                ProxyUseDefaultCredentials = options.ProxyUseDefaultCredentials,
                TrustedCertificates = bundle != null ? CertificateFiles.LoadBundle(bundle) : options.TrustedCertificates,
                CertificateBundle = bundle ?? options.CertificateBundle,
                ClientCertificate = clientCertificate != null ? CertificateFiles.LoadClientCertificate(clientCertificate, clientKey) : options.ClientCertificate,
            };
            if (bundle != null)
            {
                WriteVerbose($"Trusting only the CA certificates in '{bundle}' (the key's cert_bundle) for {key.Server}.");
            }

            if (clientCertificate != null)
            {
                WriteVerbose($"Offering the client certificate '{clientCertificate}' (the key's client_cert) to {key.Server}.");
            }

            var made = NewClient(combined);
            keyClients[id] = made;
            return made;
        }

        protected override void StopProcessing()
        {
            try
            {
                stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Ctrl+C arrived as the command finished: nothing is left to cancel.
            }
        }

        /// <summary>
        /// Runs one request, retrying transient failures per -MaximumRetryCount with a countdown in the
        /// progress stream; Ctrl+C ends both the request and the wait.
        /// </summary>
        private protected T Send<T>(string activity, Func<ZulipClient, CancellationToken, Task<T>> request)
        {
            for (var retries = 0; ; retries++)
            {
                try
                {
                    return request(Client, CancelToken).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
                catch (ZulipApiException failure)
                {
                    var delay = retryPolicy!.NextDelay(failure, retries);
                    if (delay == null)
                    {
                        ExplainWhyNotRetried(activity, failure, retries);
                        throw;
                    }

                    WaitBeforeRetry(activity, failure, delay.Value, retries + 1);
                }
            }
        }

        /// <summary>
        /// The server settings: from the process-wide cache when read recently under the same trust as this
        /// cmdlet's client (certificate checking, proxy), else from the server, then cached under that trust.
        /// </summary>
        protected ZulipServerSettings ReadServerSettings(Uri server)
        {
            var preflight = new LoginPreflight(Client);
            var settings = preflight.CachedSettings(server);
            if (settings != null)
            {
                WriteVerbose($"Using the server settings of {server} read in the last {ServerSettingsCache.Lifetime.TotalMinutes:0} minutes.");
                return settings;
            }

            WriteVerbose($"GET {ServerAddress.Endpoint(server, "api/v1/server_settings")}");
            settings = Send("Reading Zulip server settings", (client, token) => client.GetServerSettingsAsync(server, token));
            preflight.Remember(settings);
            return settings;
        }

        /// <summary>Reports a plan's warnings and notes, and returns where the credential goes.</summary>
        private protected Uri Follow(LoginPlan plan)
        {
            foreach (var warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            foreach (var note in plan.Notes)
            {
                WriteVerbose(note);
            }

            return plan.Target;
        }

        /// <summary>Writes a non-terminating error for one failed input; the pipeline goes on with the next.</summary>
        protected void WriteZulipError(ZulipApiException failure, object? target) => WriteError(ErrorRecords.Create(failure, target));

        /// <summary>
        /// Hides <see cref="Cmdlet.WriteVerbose"/> so that every verbose line of these cmdlets, which quote user names,
        /// server text and URLs, reaches the host with control, bidi and invisible characters neutralised (a CR LF
        /// would forge a log record, an ESC drive the terminal).
        /// </summary>
        public new void WriteVerbose(string text) => base.WriteVerbose(DisplayText.Neutralize(text ?? string.Empty));

        /// <summary>As <see cref="WriteVerbose"/>, for warnings.</summary>
        public new void WriteWarning(string text) => base.WriteWarning(DisplayText.Neutralize(text ?? string.Empty));

        /// <summary>A transient failure that was not retried although retries were asked for: say why.</summary>
        private void ExplainWhyNotRetried(string activity, ZulipApiException failure, int retries)
        {
            if (!failure.IsTransient || MaximumRetryCount == 0)
            {
                return;
            }

            if (retries < MaximumRetryCount && !RetryPolicy.MaySendAgain(failure))
            {
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} failed ({1}); not retrying, because the request carries a password or changes a key and may already have reached the server.", activity, failure.ErrorId));
            }
            else if (retries < MaximumRetryCount)
            {
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} failed ({1}); not retrying, because the wait of {2:0.###} s is longer than {3:0} minutes.", activity, failure.ErrorId, retryPolicy!.WaitBefore(failure).TotalSeconds, RetryPolicy.LongestWait.TotalMinutes));
            }
            else
            {
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} failed ({1}) after {2} retries; giving up.", activity, failure.ErrorId, retries));
            }
        }

        private void WaitBeforeRetry(string activity, ZulipApiException failure, TimeSpan delay, int attempt)
        {
            var reason = failure.StatusCode.HasValue ? $"HTTP {(int)failure.StatusCode.Value}" : failure.ErrorId;
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} failed ({1}: {2}); retry {3} of {4} in {5:0.###} s.", activity, failure.ErrorId, reason, attempt, MaximumRetryCount, delay.TotalSeconds));

            try
            {
                var wait = new RetryWait(() => DateTime.UtcNow, milliseconds => CancelToken.WaitHandle.WaitOne(milliseconds));
                var completed = wait.Run(delay, (seconds, done) =>
                    // A new record each time: hosts may keep the records they are given (the Progress stream does).
                    WriteProgress(new ProgressRecord(RetryProgressId, activity, $"{reason}: retry {attempt} of {MaximumRetryCount} in {seconds} s")
                    {
                        SecondsRemaining = seconds,
                        PercentComplete = (int)(100 * done),
                    }));
                if (!completed)
                {
                    throw new PipelineStoppedException();
                }
            }
            finally
            {
                WriteProgress(new ProgressRecord(RetryProgressId, activity, "Retrying") { RecordType = ProgressRecordType.Completed });
            }
        }

        private protected TransportOptions BuildTransportOptions()
        {
            if (NoProxy && (Proxy != null || ProxyCredential != null || ProxyUseDefaultCredentials))
            {
                ThrowConflict("-NoProxy cannot be combined with -Proxy, -ProxyCredential or -ProxyUseDefaultCredentials.");
            }

            if (ProxyCredential != null && ProxyUseDefaultCredentials)
            {
                ThrowConflict("-ProxyCredential and -ProxyUseDefaultCredentials cannot be used together.");
            }

            if (ProxyCredential != null && Proxy == null)
            {
                ThrowConflict("-ProxyCredential needs -Proxy: name the proxy the credential is for.");
            }

            if (Proxy != null && (!Proxy.IsAbsoluteUri || (Proxy.Scheme != Uri.UriSchemeHttp && Proxy.Scheme != Uri.UriSchemeHttps)))
            {
                ThrowConflict("-Proxy must be an absolute http:// or https:// URL, for example http://proxy.example.com:8080.");
            }

            if (SkipCertificateCheck && CertificateBundle != null)
            {
                ThrowConflict("-SkipCertificateCheck and -CertificateBundle cannot be used together: one turns the check off, the other says whom to trust.");
            }

            if (Certificate != null && CertificateThumbprint != null)
            {
                ThrowConflict("-Certificate and -CertificateThumbprint cannot be used together: give one client certificate.");
            }

            string? bundlePath = null;
            X509Certificate2Collection? bundle = null;
            X509Certificate2? clientCertificate = null;
            try
            {
                if (CertificateBundle != null)
                {
                    bundlePath = FileSystemPath.Resolve(this, CertificateBundle);
                    bundle = CertificateFiles.LoadBundle(bundlePath);
                }

                if (Certificate != null)
                {
                    clientCertificate = CertificateFiles.RequirePrivateKey(Certificate as X509Certificate2 ?? new X509Certificate2(Certificate), "-Certificate " + Certificate.Subject);
                }
                else if (CertificateThumbprint != null)
                {
                    clientCertificate = CertificateFiles.FindByThumbprint(CertificateThumbprint);
                }
            }
            catch (ZulipApiException e)
            {
                // A parameter of the whole call, not of one input: nothing could be sent.
                ThrowTerminatingError(ErrorRecords.Create(e, CertificateBundle ?? CertificateThumbprint));
            }

            return new TransportOptions
            {
                SkipCertificateCheck = SkipCertificateCheck,
                ProxyMode = NoProxy ? ProxyMode.None : Proxy != null ? ProxyMode.Explicit : ProxyMode.System,
                Proxy = Proxy,
                ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
                TrustedCertificates = bundle,
                CertificateBundle = bundlePath,
                ClientCertificate = clientCertificate,
            };
        }

        private void ThrowConflict(string message) =>
            ThrowTerminatingError(ErrorRecords.Create(new ZulipApiException(ZulipErrorId.ConflictingParameters, message), null));

        public void Dispose()
        {
            stopping.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
