using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using ZulipAuth.Client;
using ZulipAuth.Client.WebLogin;

namespace ZulipAuth.Commands
{
    /// <summary>
    /// Get-ZulipApiKey -Web: the organization's web login (GitHub, Google, SAML, ...), as Zulip's apps do it. The
    /// browser flow (mobile_flow_otp, key back through a temporary zulip: handler) where a desktop is available; the
    /// paste flow (desktop_flow_otp, token pasted at the prompt, session exchanged for the key) with -Paste or without one.
    /// </summary>
    public sealed partial class GetZulipApiKeyCommand
    {
        private const string WebSet = "Web";
        private const int WebProgressId = 0x5A18;

        /// <summary>Defaults for a person to log in in the browser when -TimeoutSec is not given.</summary>
        private static readonly TimeSpan DefaultWebWait = TimeSpan.FromMinutes(5);

        [Parameter(Mandatory = true, ParameterSetName = WebSet)]
        public SwitchParameter Web { get; set; }

        [Parameter(ParameterSetName = WebSet)]
        public SwitchParameter Paste { get; set; }

        [Parameter(ParameterSetName = WebSet)]
        [ArgumentCompleter(typeof(AuthenticationMethodCompleter))]
        [ValidateNotNullOrEmpty]
        public string? AuthenticationMethod { get; set; }

        private TimeSpan WebWait => MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? (TimeoutSec == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(TimeoutSec)) : DefaultWebWait;

        private FetchedApiKey FetchWithWebLogin(Uri server)
        {
            var settings = ReadServerSettings(server);
            var realm = settings.RealmUrl != null && ServerAddress.SameHost(settings.RealmUrl, server) && !(server.Scheme == Uri.UriSchemeHttps && settings.RealmUrl.Scheme == Uri.UriSchemeHttp)
                ? new Uri(settings.RealmUrl.GetLeftPart(UriPartial.Authority) + "/")
                : server;
            var method = ChooseMethod(server, settings);
            var start = method.LoginUrl;
            // The OTP goes into this URL: only to the organization itself, never to a host or scheme the server picked.
            if (start == null || !LoginRedirect.SameOrigin(start, realm))
            {
                throw ZulipApiException.WithHint(ZulipErrorId.WebLoginUrlRefused,
                    $"The server's login URL for '{method.Name}' ({start?.GetLeftPart(UriPartial.Path) ?? "none"}) is not on {realm.GetLeftPart(UriPartial.Authority)}, so no one-time secret was sent there.",
                    "Log in at the organization's own address; if it moved, run the command with -Server set to the new address.");
            }

            Client.RequireEncryption(start, "the one-time login secret and the key");
            var why = string.Empty;
            var paste = Paste || !CanUseBrowserFlow(out why);
            if (!Paste && paste)
            {
                WriteVerbose($"Using the paste flow: {why}");
            }

            var secret = OneTimeSecret.NewBytes();
            try
            {
                var fetched = paste ? PasteFlow(realm, start, settings, secret) : BrowserFlow(realm, start, secret);
                return CompleteUserId(fetched);
            }
            finally
            {
                Array.Clear(secret, 0, secret.Length);
            }
        }

        private ZulipExternalAuthenticationMethod ChooseMethod(Uri server, ZulipServerSettings settings)
        {
            var offered = settings.ExternalAuthenticationMethods.Where(m => m.Name.Length > 0 && m.LoginUrl != null).ToArray();
            if (offered.Length == 0)
            {
                var instead = settings.PasswordAuthEnabled ? "It logs in with passwords: use -Credential." : $"Get the key from the web app instead: log in at {settings.RealmUrl ?? server}, then Personal settings > Account & privacy > API key.";
                throw ZulipApiException.WithHint(ZulipErrorId.WebLoginNotOffered, $"{settings.RealmUrl ?? server} offers no web login (GitHub, Google, SAML, ...).", instead);
            }

            var names = string.Join(", ", offered.Select(m => m.Name));
            if (AuthenticationMethod != null)
            {
                return offered.FirstOrDefault(m => string.Equals(m.Name, AuthenticationMethod, StringComparison.OrdinalIgnoreCase))
                    ?? throw ZulipApiException.WithHint(ZulipErrorId.AuthenticationMethodNotOffered, $"This organization does not offer the web login '{AuthenticationMethod}'.", $"Use one of: {names}.");
            }

            if (offered.Length == 1)
            {
                return offered[0];
            }

            var choices = new Collection<ChoiceDescription>(offered.Select((m, i) => new ChoiceDescription("&" + (i + 1) + " " + (m.DisplayName ?? m.Name), m.Name)).ToList());
            try
            {
                var chosen = Host.UI.PromptForChoice("Zulip web login", $"{settings.RealmName ?? server.Host} offers several ways to log in. Which one?", choices, 0);
                if (chosen >= 0 && chosen < offered.Length)
                {
                    return offered[chosen];
                }
            }
            catch (Exception e) when (e is HostException || e is NotImplementedException || e is NotSupportedException || e is PSInvalidOperationException || e is NullReferenceException)
            {
                // No one to ask (a runbook, -NonInteractive): fail with the names below.
            }

            throw ZulipApiException.WithHint(ZulipErrorId.AuthenticationMethodRequired, $"This organization offers several web logins ({names}) and no one could be asked which one.", $"Name one with -AuthenticationMethod, for example -AuthenticationMethod {offered[0].Name}.");
        }

        private static bool CanUseBrowserFlow(out string why)
        {
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                why = string.Empty;
                return true;
            }

            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                why = "this system has no zulip: link handler the module can install (macOS).";
                return false;
            }

            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
            {
                why = "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset, as in an SSH session), so no browser can be opened here.";
                return false;
            }

            why = string.Empty;
            return true;
        }

        private FetchedApiKey BrowserFlow(Uri realm, Uri start, byte[] otp)
        {
            var url = new UriBuilder(start) { Query = "mobile_flow_otp=" + Hex.Encode(otp) }.Uri;
            using var receiver = LoopbackReceiver.Start();
            using var handler = SchemeHandler.Install(receiver) ?? throw ZulipApiException.WithHint(ZulipErrorId.SchemeHandlerFailed, "This system has no zulip: link handler the module can install.", "Use -Paste.");
            WriteVerbose($"Installed a temporary zulip: link handler: {handler.Description}.");
            try
            {
                SchemeHandler.OpenBrowser(url);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException || e is ZulipApiException)
            {
                throw ZulipApiException.WithHint(ZulipErrorId.BrowserLaunchFailed, "The default browser could not be opened.", "Use -Paste and open the link it prints in any browser.", e);
            }

            Host.UI.WriteLine($"Log in to {realm.GetLeftPart(UriPartial.Authority)} in the browser window that opened. Waiting for Zulip to send you back (Ctrl+C to stop).");
            var redirectUrl = Wait("Waiting for the browser login", receiver.Received, () => receiver.Url);
            var redirect = LoginRedirect.Parse(redirectUrl, realm, out var problem)
                ?? throw ZulipApiException.WithHint(ZulipErrorId.WebLoginRedirectInvalid, $"The zulip:// link that came back was refused: {problem}.", "Nothing was decrypted or kept. Run the command again; if it keeps happening, something other than Zulip is answering the login.");
            var key = MobileFlowKey.Decrypt(redirect.EncryptedApiKey, otp)
                ?? throw ZulipApiException.WithHint(ZulipErrorId.WebLoginRedirectInvalid, "The zulip:// link that came back does not decrypt to a Zulip API key with this login's one-time secret.", "It belongs to another login attempt; run the command again and finish that login.");
            return new FetchedApiKey(realm, redirect.Email, key, redirect.UserId, Array.Empty<string>());
        }

        private FetchedApiKey PasteFlow(Uri realm, Uri start, ZulipServerSettings settings, byte[] aesKey)
        {
            SecureString? password = null;
            try
            {
                if (settings.PasswordAuthEnabled || settings.AuthenticationMethods.Contains("ldap", StringComparer.OrdinalIgnoreCase))
                {
                    // Asked before the link: the token it yields lives 15 s, too short to type a password after it.
                    Host.UI.WriteLine("This organization also has passwords, so Zulip wants your Zulip password to hand out the key.");
                    Host.UI.Write("Zulip password: ");
                    password = Host.UI.ReadLineAsSecureString();
                }

                var url = new UriBuilder(start) { Query = "desktop_flow_otp=" + Hex.Encode(aesKey) }.Uri;
                Host.UI.WriteLine("Open this link in a browser (on any machine), log in, and copy the login token the page shows:");
                Host.UI.WriteLine(url.AbsoluteUri);
                Host.UI.Write("Login token: ");
                var pasted = Host.UI.ReadLineAsSecureString();
                var token = DecryptPasted(pasted, aesKey);
                WriteVerbose($"GET {realm}accounts/login/subdomain/… and POST {realm}json/fetch_api_key with that session (kept in memory only).");
                var exchange = new SessionExchange(HttpClientPool.Get(BuildTransportOptions()), TimeSpan.FromSeconds(TimeoutSec), UserAgent.Get(this));
                return Send("Exchanging the web login for the key", (_, cancel) => exchange.FetchApiKeyAsync(realm, token, password, cancel));
            }
            finally
            {
                password?.Dispose();
            }
        }

        private static string DecryptPasted(SecureString pasted, byte[] aesKey)
        {
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(pasted);
            try
            {
                var text = Marshal.PtrToStringUni(pointer, pasted.Length);
                var token = DesktopLoginToken.Decrypt(text, aesKey, out var failure);
                if (token != null)
                {
                    return token;
                }

                var what = failure == DesktopLoginToken.Failure.Malformed
                    ? $"What was pasted is not a login token (Zulip's is {DesktopLoginToken.EncryptedHexLength} hex digits)."
                    : "The login token does not belong to this login: it was made for another link, or was changed.";
                throw ZulipApiException.WithHint(ZulipErrorId.DesktopTokenInvalid, what, "Run the command again, open the new link it prints, and paste the whole token with the Copy button's text.");
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
                pasted.Dispose();
            }
        }

        /// <summary>Waits for a person, with a progress display; Ctrl+C and the time limit end the wait.</summary>
        private string Wait(string activity, WaitHandle done, Func<string?> result)
        {
            var limit = WebWait;
            var started = DateTime.UtcNow;
            try
            {
                while (true)
                {
                    var value = result();
                    if (value != null)
                    {
                        return value;
                    }

                    var elapsed = DateTime.UtcNow - started;
                    if (limit != Timeout.InfiniteTimeSpan && elapsed >= limit)
                    {
                        throw ZulipApiException.WithHint(ZulipErrorId.WebLoginTimeout, $"The web login did not come back within {limit.TotalSeconds:0} s.", "Run the command again and finish the login in the browser, or allow more time with -TimeoutSec.");
                    }

                    var record = new ProgressRecord(WebProgressId, activity, "Log in in the browser; Ctrl+C stops");
                    if (limit != Timeout.InfiniteTimeSpan)
                    {
                        record.SecondsRemaining = (int)Math.Ceiling((limit - elapsed).TotalSeconds);
                        record.PercentComplete = Math.Min(100, (int)(100 * elapsed.TotalSeconds / limit.TotalSeconds));
                    }

                    WriteProgress(record);
                    if (WaitHandle.WaitAny(new[] { done, CancelToken.WaitHandle }, TimeSpan.FromMilliseconds(500)) == 1)
                    {
                        throw new PipelineStoppedException();
                    }
                }
            }
            finally
            {
                WriteProgress(new ProgressRecord(WebProgressId, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
