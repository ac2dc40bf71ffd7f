using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace ZulipAuth.Client.WebLogin
{
    /// <summary>
    /// The desktop app's last two steps: redeem the login token at /accounts/login/subdomain/&lt;token&gt; for a
    /// session, then POST /json/fetch_api_key with it (Django's CSRF cookie and header, same-origin Origin and
    /// Referer). The cookies live in this object only, for these two requests; nothing is kept afterwards.
    /// Redirects are never followed (the pooled client has none), and the session goes only to the realm it came from.
    /// </summary>
    internal sealed class SessionExchange
    {
        /// <summary>Both answers are small pages or JSON; more is not Zulip.</summary>
        private const int MaxBody = 256 * 1024;

        private static readonly string[] SessionCookies = { "__Host-sessionid", "sessionid" };
        private static readonly string[] CsrfCookies = { "__Host-csrftoken", "csrftoken" };

        private readonly HttpClient client;
        private readonly TimeSpan timeout;
        private readonly string userAgent;

        public SessionExchange(HttpClient client, TimeSpan timeout, string userAgent)
        {
            this.client = client;
            this.timeout = timeout;
            this.userAgent = userAgent;
        }

        public async Task<FetchedApiKey> FetchApiKeyAsync(Uri realm, string loginToken, SecureString? password, CancellationToken cancellationToken)
        {
            var origin = new Uri(realm.GetLeftPart(UriPartial.Authority) + "/");
            var redeem = new Uri(origin, "accounts/login/subdomain/" + loginToken);
            var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
            var secrets = password == null ? RequestSecrets.None.With(loginToken) : RequestSecrets.None.With(loginToken).With(password);
            try
            {
                using (var request = new HttpRequestMessage(HttpMethod.Get, redeem))
                {
                    var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (answer.Status != HttpStatusCode.Found && answer.Status != HttpStatusCode.Redirect)
                    {
                        throw RedeemFailure(origin, answer);
                    }

                    foreach (var header in answer.SetCookies)
                    {
                        var pair = header.Split(';')[0];
                        var equals = pair.IndexOf('=');
                        if (equals > 0)
                        {
                            cookies[pair.Substring(0, equals).Trim()] = pair.Substring(equals + 1).Trim();
                        }
                    }
                }

                var session = SessionCookies.FirstOrDefault(cookies.ContainsKey);
                var csrf = CsrfCookies.FirstOrDefault(cookies.ContainsKey);
                if (session == null || csrf == null)
                {
                    throw ZulipErrorMapper.Unexpected(origin, "the login token was accepted, but the answer set no session and CSRF cookie.");
                }

                var fetch = new Uri(origin, "json/fetch_api_key");
                var body = password == null ? new FormBody().ToArrayAndClear() : new FormBody().AddSecret("password", password).ToArrayAndClear();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, fetch);
                    request.Headers.TryAddWithoutValidation("Cookie", $"{session}={cookies[session]}; {csrf}={cookies[csrf]}");
                    request.Headers.TryAddWithoutValidation("X-CSRFToken", cookies[csrf]);
                    request.Headers.TryAddWithoutValidation("Origin", origin.GetLeftPart(UriPartial.Authority));
                    request.Headers.Referrer = origin;
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
                    var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
                    return ReadKey(realm, fetch, answer, password != null);
                }
                finally
                {
                    Array.Clear(body, 0, body.Length);
                }
            }
            catch (ZulipApiException failure)
            {
                // A server that repeats the token or the password in its text must not get it into a message.
                throw secrets.Apply(failure);
            }
            finally
            {
                cookies.Clear();
            }
        }

        private static ZulipApiException RedeemFailure(Uri origin, Answer answer)
        {
            var response = answer.ToZulipResponse();
            if ((int)answer.Status == 400 && response.Json == null)
            {
                // log_into_subdomain: an empty 400 for a malformed token, an HTML page for an unknown, expired or used one.
                var what = answer.BodyLength == 0
                    ? "The server refused the login token as malformed."
                    : "The login token has expired or was already used: Zulip accepts it once, within 15 seconds of the page showing it.";
                return ZulipApiException.WithHint(ZulipErrorId.LoginTokenExpired, what, "Run the command again, open the new link and paste the token as soon as the page shows it.");
            }

            return ZulipErrorMapper.FromResponse(ZulipEndpoint.FetchApiKey, response);
        }

        private static FetchedApiKey ReadKey(Uri realm, Uri fetch, Answer answer, bool sentPassword)
        {
            var response = answer.ToZulipResponse();
            var json = response.Json;
            if (response.IsZulipSuccess)
            {
                var key = json!.GetString("api_key");
                var email = json.GetString("email");
                if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(email) || !ZulipClient.IsPlausibleKey(key!) || !ZulipClient.IsUsableEmail(email!))
                {
                    throw ZulipErrorMapper.Unexpected(fetch, "the success answer lacks a usable api_key or email.");
                }

                return new FetchedApiKey(realm, email!, SecureStrings.ReadOnlyCopy(key!), json.GetInt("user_id"), Array.Empty<string>());
            }

            var code = json?.GetString("code");
            var msg = json?.GetString("msg");
            if ((int)answer.Status == 403 && (code == "CSRF_FAILED" || (msg?.StartsWith("CSRF", StringComparison.OrdinalIgnoreCase) ?? false)))
            {
                throw With(ZulipApiException.WithHint(ZulipErrorId.CsrfFailed, $"The server refused the session exchange: {msg}", "A proxy may be rewriting or dropping the Cookie, Origin or Referer headers; try another network, or use -Paste from a machine without that proxy."), answer, fetch, code, msg);
            }

            if ((int)answer.Status == 400 && msg == "Password is incorrect.")
            {
                var hint = sentPassword
                    ? "This organization also has passwords, so Zulip asks for your Zulip password to hand out the key. Run the command again with the right password; if you never set one, set it at " + new Uri(realm, "accounts/password/reset/") + "."
                    : "This organization also has passwords; run the command again and give your Zulip password when asked.";
                throw With(ZulipApiException.WithHint(ZulipErrorId.WebLoginPasswordIncorrect, "Password is incorrect.", hint), answer, fetch, code, msg);
            }

            throw ZulipErrorMapper.FromResponse(ZulipEndpoint.UsersMe, response);
        }

        private static ZulipApiException With(ZulipApiException e, Answer answer, Uri uri, string? code, string? msg)
        {
            e.StatusCode = answer.Status;
            e.RequestUri = uri;
            e.Code = code;
            e.ServerMessage = msg;
            return e;
        }

        private async Task<Answer> SendAsync(HttpRequestMessage request, CancellationToken stop)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            // The path carries the login token: errors name only the endpoint.
            var shown = new Uri(request.RequestUri!.GetLeftPart(UriPartial.Authority) + "/" + (request.RequestUri.AbsolutePath.StartsWith("/accounts/login/subdomain/", StringComparison.Ordinal) ? "accounts/login/subdomain/" : request.RequestUri.AbsolutePath.TrimStart('/')));
            using var timeoutSource = new CancellationTokenSource();
            if (timeout > TimeSpan.Zero)
            {
                timeoutSource.CancelAfter(timeout);
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeoutSource.Token);
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                var body = await HttpTransport.ReadBoundedAsync(response, shown, linked.Token, MaxBody).ConfigureAwait(false);
                var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToArray() : Array.Empty<string>();
                return new Answer(shown, response.StatusCode, response.Content?.Headers.ContentType?.MediaType, body.Array!, body.Count, setCookies);
            }
            catch (Exception e) when (stop.IsCancellationRequested && (e is OperationCanceledException || e is IOException || e is HttpRequestException || e is ObjectDisposedException))
            {
                throw new OperationCanceledException("The request was cancelled.", e, stop);
            }
            catch (Exception e) when (timeoutSource.IsCancellationRequested && (e is OperationCanceledException || e is IOException || e is HttpRequestException || e is ObjectDisposedException))
            {
                throw ZulipErrorMapper.TimedOut(shown, timeout);
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException || e is WebException || e is SocketException || e is System.Security.Authentication.AuthenticationException)
            {
                throw ZulipErrorMapper.FromNetworkFailure(shown, e);
            }
        }

        private sealed class Answer
        {
            private readonly byte[] body;

            public Answer(Uri uri, HttpStatusCode status, string? mediaType, byte[] body, int length, string[] setCookies)
            {
                Uri = uri;
                Status = status;
                MediaType = mediaType;
                this.body = body;
                BodyLength = length;
                SetCookies = setCookies;
            }

            public Uri Uri { get; }

            public HttpStatusCode Status { get; }

            public string? MediaType { get; }

            public int BodyLength { get; }

            public string[] SetCookies { get; }

            public ZulipResponse ToZulipResponse() => new ZulipResponse(Uri, Status, MediaType, ZulipJson.TryParseObject(body, BodyLength), null, null);
        }
    }
}
