using System;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using ZulipAuth.Client;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// What the cmdlets that act with an existing key share: the caller's key from the pipeline or as
    /// -Server/-Credential (as Test-ZulipApiKey takes it), the plain-http rule, and sending a request that must
    /// not run twice.
    /// </summary>
    public abstract class ZulipKeyCmdlet : ZulipWebCmdlet
    {
        protected const string InputObjectSet = "InputObject";
        protected const string CredentialSet = "Credential";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [ValidateNotNull]
        public ZulipApiKey InputObject { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
        [Alias("Site", "Realm")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerArgumentCompleter))]
        public string Server { get; set; } = string.Empty;

        /// <summary>UserName = the email, Password = the API key.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
        [CredentialPrompt(Message = "Enter the Zulip API key of this account (the web app shows it under Personal settings > Account & privacy > API key).")]
        [ValidateNotNull]
        public PSCredential Credential { get; set; } = null!;

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>The caller's server, email and key, after the plain-http rule; throws ZulipApiException.</summary>
        protected (Uri Server, string Email, SecureString Key) Caller()
        {
            var server = ParameterSetName == InputObjectSet ? ServerAddress.Normalize(InputObject.Server.AbsoluteUri) : ServerAddress.Normalize(Server);
            var email = ParameterSetName == InputObjectSet ? InputObject.Email : Credential.UserName ?? string.Empty;
            var key = ParameterSetName == InputObjectSet ? InputObject.ApiKey : Credential.Password;
            ServerAddress.RequireEncryption(server, AllowUnencryptedAuthentication, "the API key");
            return (server, email, key);
        }

        /// <summary>The server the failure is about, for an ErrorRecord's target (never a credential).</summary>
        protected Uri? TargetServer()
        {
            try
            {
                return ParameterSetName == InputObjectSet ? InputObject?.Server : ServerAddress.Normalize(Server);
            }
            catch (ZulipApiException)
            {
                return null;
            }
        }

        /// <summary>The server settings, from the process-wide cache or the server.</summary>
        protected ZulipServerSettings ReadSettings(Uri server)
        {
            var cached = ServerSettingsCache.TryGet(server);
            if (cached != null)
            {
                return cached;
            }

            WriteVerbose($"GET {ServerAddress.Endpoint(server, "api/v1/server_settings")}");
            var settings = Send("Reading Zulip server settings", (client, token) => client.GetServerSettingsAsync(server, token));
            ServerSettingsCache.Set(settings);
            return settings;
        }

        /// <summary>
        /// Sends a request that changes the server at most once: a rotation that ran twice would leave the first
        /// new key unknown here and the second unknown to nobody but the lost answer. -MaximumRetryCount applies
        /// only to failures that prove the request never reached Zulip's application (a refused or unresolved
        /// connection, Zulip's own 429); a 502, a 503, a timeout or a dropped connection may come after the server
        /// acted, so they are reported, never retried.
        /// </summary>
        protected T SendAtMostOnce<T>(string activity, Func<ZulipClient, CancellationToken, Task<T>> request)
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
                    if (!LifecycleErrorMapper.CertainlyNotSent(failure))
                    {
                        if (failure.IsTransient && MaximumRetryCount > 0)
                        {
                            WriteVerbose($"{activity} failed ({failure.ErrorId}); not retried, because the request may have reached the server and a second one would change the key again.");
                        }

                        throw;
                    }

                    var wait = failure.RetryAfter.HasValue && failure.RetryAfter.Value > TimeSpan.FromSeconds(RetryIntervalSec) ? failure.RetryAfter.Value : TimeSpan.FromSeconds(RetryIntervalSec);
                    if (retries >= MaximumRetryCount || wait > RetryPolicy.LongestWait)
                    {
                        throw;
                    }

                    WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} failed ({1}) before reaching the server; retry {2} of {3} in {4:0.###} s.", activity, failure.ErrorId, retries + 1, MaximumRetryCount, wait.TotalSeconds));
                    if (CancelToken.WaitHandle.WaitOne(wait))
                    {
                        throw new PipelineStoppedException();
                    }
                }
            }
        }

        /// <summary>Writes a key: the object, or with -AsPlainText the key alone.</summary>
        protected void EmitKey(ZulipApiKey key)
        {
            ServerSettingsCache.RememberServer(key.Server);
            if (AsPlainText)
            {
                WriteObject(key.Credential.GetNetworkCredential().Password);
            }
            else
            {
                WriteObject(key);
            }
        }
    }
}
