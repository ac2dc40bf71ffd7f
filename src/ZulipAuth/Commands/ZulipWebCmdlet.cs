using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// What every cmdlet that talks to a server shares: the transport parameters (named as on
    /// Invoke-RestMethod), the pooled client, Ctrl+C, and the retry loop. Requests run synchronously on the
    /// pipeline thread, so every Write* call happens there; StopProcessing only cancels a token.
    /// </summary>
    public abstract class ZulipWebCmdlet : PSCmdlet, IDisposable
    {
        private const int RetryProgressId = 0x5A17;

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private ZulipClient? client;
        private RetryPolicy? retryPolicy;

        /// <summary>Seconds for connecting and reading the whole answer; 0 waits forever.</summary>
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

        protected CancellationToken CancelToken => stopping.Token;

        protected ZulipClient Client => client ?? throw new InvalidOperationException("BeginProcessing has not run.");

        protected override void BeginProcessing()
        {
            var options = BuildTransportOptions();
            client = new ZulipClient(HttpClientPool.Get(options), TimeSpan.FromSeconds(TimeoutSec), UserAgent.Get(this));
            retryPolicy = new RetryPolicy(MaximumRetryCount, TimeSpan.FromSeconds(RetryIntervalSec));
            if (SkipCertificateCheck)
            {
                WriteWarning("-SkipCertificateCheck: the server's TLS certificate is not checked, so anyone on the network path could read the credentials. Use it only for test servers.");
            }
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
        protected T Send<T>(string activity, Func<ZulipClient, CancellationToken, Task<T>> request)
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

        /// <summary>Writes a non-terminating error for one failed input; the pipeline goes on with the next.</summary>
        protected void WriteZulipError(ZulipApiException failure, object? target) => WriteError(ErrorRecords.Create(failure, target));

        /// <summary>A transient failure that was not retried although retries were asked for: say why.</summary>
        private void ExplainWhyNotRetried(string activity, ZulipApiException failure, int retries)
        {
            if (!failure.IsTransient || MaximumRetryCount == 0)
            {
                return;
            }

            if (retries < MaximumRetryCount)
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

            var end = DateTime.UtcNow + delay;
            try
            {
                while (true)
                {
                    var remaining = end - DateTime.UtcNow;
                    if (remaining <= TimeSpan.Zero)
                    {
                        return;
                    }

                    // A new record each time: hosts may keep the records they are given (the Progress stream does).
                    var seconds = (int)Math.Ceiling(remaining.TotalSeconds);
                    WriteProgress(new ProgressRecord(RetryProgressId, activity, $"{reason}: retry {attempt} of {MaximumRetryCount} in {seconds} s")
                    {
                        SecondsRemaining = seconds,
                        PercentComplete = Math.Min(100, Math.Max(0, (int)(100 * (1 - (remaining.TotalSeconds / delay.TotalSeconds))))),
                    });
                    if (CancelToken.WaitHandle.WaitOne(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1)))
                    {
                        throw new PipelineStoppedException();
                    }
                }
            }
            finally
            {
                WriteProgress(new ProgressRecord(RetryProgressId, activity, "Retrying") { RecordType = ProgressRecordType.Completed });
            }
        }

        protected TransportOptions BuildTransportOptions()
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

            return new TransportOptions
            {
                SkipCertificateCheck = SkipCertificateCheck,
                ProxyMode = NoProxy ? ProxyMode.None : Proxy != null ? ProxyMode.Explicit : ProxyMode.System,
                Proxy = Proxy,
                ProxyCredential = ProxyCredential?.GetNetworkCredential(),
                ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
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
