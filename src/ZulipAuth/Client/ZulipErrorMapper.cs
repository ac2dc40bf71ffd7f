using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace ZulipAuth.Client
{
    /// <summary>
    /// Turns a server answer or a network failure into a <see cref="ZulipApiException"/>: one ErrorId per
    /// distinct answer, the server's own words, and what the person should do next. Branches on the server's
    /// <c>code</c>; the only <c>msg</c> comparisons are for 400 BAD_REQUEST answers, which Zulip distinguishes
    /// by message alone.
    /// </summary>
    internal static class ZulipErrorMapper
    {
        private const string ResetHint = "If you signed up with a passwordless method (GitHub, Google, SAML, ...) you have no Zulip password yet: set one at {0}accounts/password/reset/.";

        public static ZulipApiException FromResponse(ZulipEndpoint endpoint, ZulipResponse response)
        {
            var server = new Uri(response.RequestUri.GetLeftPart(UriPartial.Authority) + "/");
            var status = (int)response.Status;
            var json = response.Json;
            var isZulipError = json != null && json.GetString("result") == "error";
            var code = isZulipError ? json!.GetString("code") : null;
            var msg = isZulipError ? json!.GetString("msg") : null;

            ZulipApiException Make(string id, string hint, bool transient = false, string? what = null)
            {
                // What happened: the server's words, else what the module saw; the hint is what to do, said once.
                what = !string.IsNullOrEmpty(msg) ? msg!.TrimEnd() + (msg!.TrimEnd().EndsWith(".", StringComparison.Ordinal) ? string.Empty : ".")
                    : what ?? $"{response.RequestUri.Host} answered HTTP {status} ({response.Status}).";
                var text = string.IsNullOrEmpty(msg) && what == hint ? hint : what + " " + hint;
                return new ZulipApiException(id, text)
                {
                    What = what,
                    Code = code,
                    StatusCode = response.Status,
                    ServerMessage = msg,
                    RequestUri = response.RequestUri,
                    RetryAfter = RetryAfterOf(response),
                    IsTransient = transient,
                    Hint = hint,
                    CompleteAnswer = true,
                    RetrySafety = response.RetrySafety,
                };
            }

            if (status == 429 || code == "RATE_LIMIT_HIT")
            {
                var wait = RetryAfterOf(response);
                var when = wait.HasValue ? $"Wait {HumanDuration(wait.Value)} before trying again." : "Wait before trying again.";
                var why = endpoint == ZulipEndpoint.FetchApiKey
                    ? " Zulip counts every login attempt for this user name (by default 5 per 30 minutes), even one with the right password; do not retry a password in a loop."
                    : string.Empty;
                return Make(ZulipErrorId.RateLimited, when + why, transient: true);
            }

            if (!isZulipError)
            {
                if (status >= 500)
                {
                    return Make(ZulipErrorId.ServerError, "The server or a proxy in front of it is failing. Try again later, or ask the server's administrator.", IsTransientStatus(status), $"{response.RequestUri.Host} answered HTTP {status} ({response.Status}) with a page that is not Zulip's.");
                }

                if (endpoint == ZulipEndpoint.DevFetchApiKey && status == 404)
                {
                    return Make(ZulipErrorId.NotDevelopmentServer, $"{server} is not a Zulip development environment (it has no dev_fetch_api_key endpoint). Use -Credential with a password on production servers.");
                }

                return Make(ZulipErrorId.UnexpectedResponse, CheckServerHint, what: NotZulip(response));
            }

            switch (code)
            {
                case "AUTHENTICATION_FAILED":
                    return Make(ZulipErrorId.AuthenticationFailed, endpoint == ZulipEndpoint.DevFetchApiKey
                        ? "No such user on this development server; development users include iago@zulip.com."
                        : "Check the user name (usually your email address; with LDAP, your LDAP login name) and the password. " + string.Format(CultureInfo.InvariantCulture, ResetHint, server) + " Every failed attempt counts toward Zulip's login limit.");
                case "USER_DEACTIVATED":
                    return Make(ZulipErrorId.UserDeactivated, "The account is deactivated; ask an administrator of the organization to reactivate it.");
                case "REALM_DEACTIVATED":
                    return Make(ZulipErrorId.RealmDeactivated, "The whole organization is deactivated; ask the server's administrator.");
                case "PASSWORD_AUTH_DISABLED":
                    return Make(ZulipErrorId.PasswordAuthDisabled, PasswordAuthDisabledHint(server, null));
                case "PASSWORD_RESET_REQUIRED":
                    return Make(ZulipErrorId.PasswordResetRequired, $"Zulip disabled this password because it is too weak; set a new one at {server}accounts/password/reset/ and try again.");
                case "NONEXISTENT_SUBDOMAIN":
                    return Make(ZulipErrorId.InvalidSubdomain, InvalidSubdomainHint(server));
                case "UNAUTHORIZED":
                    return Make(ZulipErrorId.InvalidApiKey, "The key (or the email paired with it) is not accepted; fetch a new key with Get-ZulipApiKey.");
            }

            if (status == 400 && msg == "Invalid subdomain")
            {
                return Make(ZulipErrorId.InvalidSubdomain, InvalidSubdomainHint(server));
            }

            if (status == 400 && msg == "Subdomain required")
            {
                return Make(ZulipErrorId.InvalidSubdomain, $"{server} is the root domain of a Zulip server that hosts several organizations (often a hosting provider's landing page). Use your organization's own subdomain, for example https://yourorg.{server.Authority}, as shown in the browser's address bar when you are logged in.");
            }

            if (status == 400 && msg == "Enter a valid email address.")
            {
                return Make(ZulipErrorId.InvalidUsername, "This organization logs in with an email address: use the email as the user name.");
            }

            if (endpoint == ZulipEndpoint.DevFetchApiKey && msg == "DevAuthBackend not enabled.")
            {
                return Make(ZulipErrorId.NotDevelopmentServer, $"{server} has the development login turned off, so it is not a Zulip development environment that -Development can use. Use -Credential with a password.");
            }

            if (endpoint == ZulipEndpoint.DevFetchApiKey && status == 404)
            {
                return Make(ZulipErrorId.NotDevelopmentServer, $"{server} is not a Zulip development environment. Use -Credential with a password on production servers.");
            }

            if (code == null && (status == 403 || status == 401) && endpoint == ZulipEndpoint.FetchApiKey)
            {
                // Servers before the error codes answered a failed login with 403 and no code.
                return Make(ZulipErrorId.AuthenticationFailed, "Check the user name and the password. " + string.Format(CultureInfo.InvariantCulture, ResetHint, server));
            }

            if (code == null && status == 401 && endpoint == ZulipEndpoint.UsersMe)
            {
                return Make(ZulipErrorId.InvalidApiKey, "The key (or the email paired with it) is not accepted; fetch a new key with Get-ZulipApiKey.");
            }

            if (status >= 500)
            {
                return Make(ZulipErrorId.ServerError, "The Zulip server failed to answer the request. Try again later; if it persists, the server's administrator can find the cause in its logs.", IsTransientStatus(status));
            }

            var extra = status == 405
                ? " The request reached the server with another method than the one sent, which a redirecting proxy does: use the organization's https:// URL."
                : string.Empty;
            return Make(ZulipErrorId.RequestRejected, $"The server rejected the request (HTTP {status}{(code == null ? string.Empty : ", " + code)})." + extra);
        }

        public static string PasswordAuthDisabledHint(Uri server, string? offered) =>
            "This organization does not log in with passwords" + (string.IsNullOrEmpty(offered) ? string.Empty : $"; it offers {offered}") +
            $". Such users get their API key from the web app: log in at {server}, then Personal settings > Account & privacy > API key (or download a zuliprc there and use Import-ZulipRc).";

        private static string InvalidSubdomainHint(Uri server) =>
            $"No Zulip organization lives at {server}. Use the organization's own URL (for example https://yourorg.zulipchat.com), as shown in the browser's address bar when you are logged in.";

        private const string CheckServerHint = "Check the server address: it must be the organization's URL, for example https://chat.example.com.";

        private static string NotZulip(ZulipResponse response) =>
            $"The answer from {response.RequestUri.GetLeftPart(UriPartial.Path)} (HTTP {(int)response.Status}, {response.MediaType ?? "no content type"}) does not look like a Zulip server's.";

        /// <summary>A failure found on this side of the wire: what happened, then what to do (also kept as <see cref="ZulipApiException.Hint"/>).</summary>
        private static ZulipApiException Local(string errorId, Uri uri, string what, string hint, Exception? inner = null, HttpStatusCode? status = null, bool transient = false, bool notSent = false)
        {
            var failure = ZulipApiException.WithHint(errorId, what, hint, inner);
            failure.RequestUri = uri;
            failure.StatusCode = status;
            failure.IsTransient = transient;
            failure.CertainlyNotSent = notSent;
            return failure;
        }

        public static ZulipApiException Unexpected(Uri uri, string detail) =>
            Local(ZulipErrorId.UnexpectedResponse, uri, $"The answer from {uri.GetLeftPart(UriPartial.Path)} does not look like a Zulip server's: {detail}", CheckServerHint, status: HttpStatusCode.OK);

        public static ZulipApiException TooLarge(Uri uri, HttpStatusCode status, int maxBytes = HttpTransport.MaxResponseBytes) =>
            Local(ZulipErrorId.UnexpectedResponse, uri, $"The answer from {uri.GetLeftPart(UriPartial.Path)} is larger than {(maxBytes >= 1024 * 1024 ? maxBytes / 1024 / 1024 + " MiB" : maxBytes / 1024 + " KiB")}, which no Zulip answer is; reading stopped there.", CheckServerHint, status: status);

        public static ZulipApiException Redirected(ZulipResponse response, RedirectRefusal refusal)
        {
            var location = response.Location;
            var why = refusal switch
            {
                RedirectRefusal.CarriesSecret => "A request that carries a password or key never follows a redirect, so nothing was re-sent.",
                RedirectRefusal.Downgrade => "The redirect leads from https to plain http, which is never followed.",
                RedirectRefusal.TooMany => "The server redirected too many times in a row.",
                RedirectRefusal.SchemeNotAllowed => $"The scheme '{location?.Scheme}' is not allowed: only https:// (and http:// where the rules allow it) is ever followed, so nothing was sent there.",
                _ => "The redirect leads to another host, which is not followed.",
            };
            var hint = location != null && refusal != RedirectRefusal.TooMany && refusal != RedirectRefusal.SchemeNotAllowed
                ? $"Use -Server {location.GetLeftPart(UriPartial.Authority)} if that is the organization's URL."
                : "Use the organization's URL as shown in the browser's address bar.";
            return Local(ZulipErrorId.Redirected, response.RequestUri, $"{response.RequestUri.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.Status} redirecting to {location?.AbsoluteUri ?? "(no Location)"}. {why}", hint, status: response.Status);
        }

        public static ZulipApiException TimedOut(Uri uri, TimeSpan timeout) =>
            Local(ZulipErrorId.Timeout, uri, $"{uri.GetLeftPart(UriPartial.Path)} did not answer within {Seconds(timeout)} s.", "Check the address, the network and any proxy, or allow more time with -TimeoutSec.");

        /// <summary>HTTP 407 from a proxy: it wants credentials, or did not accept the ones given. Never retried (a proxy may lock the account too).</summary>
        public static ZulipApiException ProxyAuthenticationRequired(Uri uri, Uri? proxy, Exception? inner = null) =>
            Local(ZulipErrorId.ProxyAuthenticationRequired, uri, $"The proxy {(proxy == null ? "between here and " + uri.Host : proxy.GetLeftPart(UriPartial.Authority))} answered HTTP 407 (Proxy Authentication Required): it needs credentials, or did not accept the ones given.", "Give the proxy's user name and password with -Proxy and -ProxyCredential, or use -ProxyUseDefaultCredentials to log in to it as the current Windows user.", inner, HttpStatusCode.ProxyAuthenticationRequired);

        /// <summary>A 407 on a request that used no proxy: the Zulip server itself (or something posing as it) asked for proxy credentials.</summary>
        public static ZulipApiException ProxyAuthenticationFromServer(Uri uri) =>
            Local(ZulipErrorId.UnexpectedResponse, uri, $"{uri.Authority} answered HTTP 407 (Proxy Authentication Required), but the request used no proxy: the Zulip server itself (not a proxy) asked for proxy authentication, which no Zulip server does.", CheckServerHint + " Proxy credentials (-ProxyCredential) are for a proxy named with -Proxy.", status: HttpStatusCode.ProxyAuthenticationRequired);

        /// <summary>A body that says it is compressed and is not (garbage after Content-Encoding: gzip or deflate).</summary>
        public static ZulipApiException Undecodable(Uri uri, HttpStatusCode status, Exception inner) =>
            Local(ZulipErrorId.UnexpectedResponse, uri, $"The answer from {uri.GetLeftPart(UriPartial.Path)} says it is compressed, but it could not be decompressed.", CheckServerHint, inner, status);

        /// <summary>
        /// Network failures. The framework's exceptions name only the address and the socket's reason, never
        /// request content, so they are kept as the inner exception for diagnosis.
        /// </summary>
        public static ZulipApiException FromNetworkFailure(Uri uri, Exception failure, Uri? proxy = null)
        {
            var host = uri.Host;
            if (Find<AuthenticationException>(failure) != null || Find<WebException>(failure)?.Status == WebExceptionStatus.TrustFailure || Find<WebException>(failure)?.Status == WebExceptionStatus.SecureChannelFailure)
            {
                return Local(ZulipErrorId.CertificateError, uri, $"The TLS certificate of {host} is not trusted, or is not for that name, so nothing was sent over the connection.", "Use the name on the server's certificate; for a private CA, trust it with -CertificateBundle (cert_bundle in a zuliprc) or install it; -SkipCertificateCheck turns the check off (only for test servers).", failure, notSent: true);
            }

            var socket = Find<SocketException>(failure);
            var web = Find<WebException>(failure);
            if (proxy != null && (socket?.SocketErrorCode == SocketError.ConnectionRefused || socket?.SocketErrorCode == SocketError.HostNotFound || socket?.SocketErrorCode == SocketError.NoData || web?.Status == WebExceptionStatus.ProxyNameResolutionFailure || web?.Status == WebExceptionStatus.ConnectFailure))
            {
                // Through a proxy the client only ever resolves and connects to the proxy itself.
                return Local(ZulipErrorId.ConnectionFailed, uri, $"Could not connect to the proxy {proxy.GetLeftPart(UriPartial.Authority)} on the way to {uri.Authority}: {Innermost(failure).Message}", "Check the proxy address (-Proxy, or the system's proxy settings), or go direct with -NoProxy.", failure, transient: true, notSent: true);
            }

            if (socket?.SocketErrorCode == SocketError.HostNotFound || socket?.SocketErrorCode == SocketError.NoData || socket?.SocketErrorCode == SocketError.TryAgain || web?.Status == WebExceptionStatus.NameResolutionFailure)
            {
                return Local(ZulipErrorId.ConnectionFailed, uri, $"The name {host} could not be resolved.", "Check the spelling of the server address and your DNS.", failure, transient: true, notSent: true);
            }

            if (socket?.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return Local(ZulipErrorId.ConnectionFailed, uri, $"{uri.Authority} refused the connection: nothing listens there.", "Check the address and the port, and that the server is running.", failure, transient: true, notSent: true);
            }

            if (socket?.SocketErrorCode == SocketError.ConnectionReset || Find<System.IO.IOException>(failure) != null)
            {
                return Local(ZulipErrorId.ConnectionFailed, uri, $"The connection to {uri.Authority} was closed before the answer was complete.", "Try again (-MaximumRetryCount retries such failures); if it persists, a proxy or firewall may be interfering.", failure, transient: true);
            }

            return Local(ZulipErrorId.ConnectionFailed, uri, $"Could not reach {uri.Authority}: {Innermost(failure).Message}", "Check the address, the network and any proxy (-Proxy, -NoProxy).", failure, transient: true);
        }

        private static bool IsTransientStatus(int status) => status == 502 || status == 503 || status == 504;

        private static TimeSpan? RetryAfterOf(ZulipResponse response)
        {
            var fromBody = response.Json?.GetDouble("retry-after");
            return (fromBody.HasValue ? RetryAfter.FromSeconds(fromBody.Value) : null) ?? response.RetryAfter;
        }

        private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

        /// <summary>A wait as a person reads it, rounded up: "6 s", "30 min", "2 h" (the exact value stays in RetryAfter).</summary>
        internal static string HumanDuration(TimeSpan span)
        {
            if (span <= TimeSpan.FromSeconds(90))
            {
                return Math.Max(1, (long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s";
            }

            if (span <= TimeSpan.FromMinutes(90))
            {
                return ((long)Math.Ceiling(span.TotalMinutes)).ToString(CultureInfo.InvariantCulture) + " min";
            }

            return span <= TimeSpan.FromHours(48)
                ? ((long)Math.Ceiling(span.TotalHours)).ToString(CultureInfo.InvariantCulture) + " h"
                : ((long)Math.Ceiling(span.TotalDays)).ToString(CultureInfo.InvariantCulture) + " days";
        }

        private static T? Find<T>(Exception? e) where T : Exception
        {
            for (; e != null; e = e.InnerException)
            {
                if (e is T match)
                {
                    return match;
                }
            }

            return null;
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }

            return e;
        }

    }
}
