using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;

namespace ZulipAuth.Client
{
    /// <summary>What one request is: method, URL, optional form body and Authorization, and whether a redirect may be followed.</summary>
    internal sealed class ZulipRequest
    {
        public ZulipRequest(HttpMethod method, Uri uri)
        {
            Method = method;
            Uri = uri;
        }

        public HttpMethod Method { get; }

        public Uri Uri { get; }

        /// <summary>The form body; zeroed by the transport once sent (it may hold a password).</summary>
        public byte[]? FormBody { get; set; }

        public AuthenticationHeaderValue? Authorization { get; set; }

        /// <summary>The secrets this request carries, masked in every failure it ends in (see ZulipClient.SendAsync).</summary>
        public RequestSecrets Secrets { get; set; } = RequestSecrets.None;

        /// <summary>Only for unauthenticated GETs: follow redirects that stay on the same host (http to https included).</summary>
        public bool FollowSameHostRedirects { get; set; }
    }

    /// <summary>
    /// Sends one request and reads its answer within the time limit and the size limit, turning every way the
    /// network can fail into a <see cref="ZulipApiException"/> with its own ErrorId. It never follows a
    /// redirect with a body or credentials, and never sends credentials to a host other than the one asked for.
    /// </summary>
    internal sealed class HttpTransport
    {
        /// <summary>Zulip's answers here are a few kilobytes; anything past this is not a Zulip answer.</summary>
        public const int MaxResponseBytes = 1024 * 1024;

        private const int MaxRedirects = 5;

        private readonly HttpClient client;
        private readonly TimeSpan timeout;
        private readonly string userAgent;

        public HttpTransport(HttpClient client, TimeSpan timeout, string userAgent)
        {
            this.client = client;
            this.timeout = timeout;
            this.userAgent = userAgent;
        }

        public async Task<ZulipResponse> SendAsync(ZulipRequest request, CancellationToken cancellationToken)
        {
            using var timeoutSource = new CancellationTokenSource();
            if (timeout > TimeSpan.Zero)
            {
                timeoutSource.CancelAfter(timeout);
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            var uri = request.Uri;
            try
            {
                for (var redirects = 0; ; redirects++)
                {
                    var response = await SendOnceAsync(request, uri, linked.Token, cancellationToken, timeoutSource.Token).ConfigureAwait(false);
                    if (response.Location == null && !IsRedirect(response.Status))
                    {
                        return response;
                    }

                    var refusal = RefuseRedirect(request, uri, response.Location, redirects);
                    if (refusal != null)
                    {
                        throw ZulipErrorMapper.Redirected(response, refusal.Value);
                    }

                    uri = response.Location!;
                }
            }
            finally
            {
                if (request.FormBody != null)
                {
                    Array.Clear(request.FormBody, 0, request.FormBody.Length);
                }
            }
        }

        private async Task<ZulipResponse> SendOnceAsync(ZulipRequest request, Uri uri, CancellationToken token, CancellationToken stopToken, CancellationToken timeoutToken)
        {
            using var message = new HttpRequestMessage(request.Method, uri);
            message.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (request.Authorization != null && ServerAddress.SameHost(uri, request.Uri))
            {
                message.Headers.Authorization = request.Authorization;
            }

            if (request.FormBody != null)
            {
                var content = new ByteArrayContent(request.FormBody);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
                message.Content = content;
            }

            HttpResponseMessage? response = null;
            try
            {
                response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                var status = response.StatusCode;
                if (status == HttpStatusCode.ProxyAuthenticationRequired)
                {
                    throw ZulipErrorMapper.ProxyAuthenticationRequired(uri, ProxyFor(uri));
                }

                var location = IsRedirect(status) ? ResolveLocation(uri, response) : null;
                var mediaType = response.Content?.Headers.ContentType?.MediaType;
                var body = location == null ? await ReadBoundedAsync(response, uri, token).ConfigureAwait(false) : new ArraySegment<byte>(Array.Empty<byte>());
                var json = ZulipJson.TryParseObject(body.Array!, body.Count);
                return new ZulipResponse(uri, status, mediaType, json, ReadRetryAfter(response), location);
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (stopToken.IsCancellationRequested && (e is IOException || e is HttpRequestException || e is ObjectDisposedException))
            {
                // Cancelling disposes the response to unblock the body read, which surfaces as one of these: still a cancellation.
                throw new OperationCanceledException("The request was cancelled.", e, stopToken);
            }
            catch (Exception e) when (timeoutToken.IsCancellationRequested && (e is OperationCanceledException || e is IOException || e is HttpRequestException || e is ObjectDisposedException))
            {
                throw ZulipErrorMapper.TimedOut(uri, timeout);
            }
            catch (Exception e) when (IsProxyAuthenticationRefusal(e))
            {
                throw ZulipErrorMapper.ProxyAuthenticationRequired(uri, ProxyFor(uri), e);
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException || e is WebException || e is SocketException || e is AuthenticationException || e is ObjectDisposedException)
            {
                throw ZulipErrorMapper.FromNetworkFailure(uri, e, ProxyFor(uri));
            }
            finally
            {
                response?.Dispose();
            }
        }

        private static async Task<ArraySegment<byte>> ReadBoundedAsync(HttpResponseMessage response, Uri uri, CancellationToken token)
        {
            if (response.Content == null)
            {
                return new ArraySegment<byte>(Array.Empty<byte>());
            }

            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                throw ZulipErrorMapper.TooLarge(uri, response.StatusCode);
            }

            // .NET Framework's response stream ignores the token; disposing the response unblocks the read there.
            using var registration = token.Register(response.Dispose);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[Math.Min(MaxResponseBytes + 1, (int?)response.Content.Headers.ContentLength + 1 ?? 16 * 1024)];
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > MaxResponseBytes)
                    {
                        throw ZulipErrorMapper.TooLarge(uri, response.StatusCode);
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxResponseBytes + 1));
                }

                var read = await stream.ReadAsync(buffer, total, buffer.Length - total, token).ConfigureAwait(false);
                if (read == 0)
                {
                    return new ArraySegment<byte>(buffer, 0, total);
                }

                total += read;
            }
        }

        private Uri? ProxyFor(Uri target) => (client as PooledHttpClient)?.ProxyFor(target);

        /// <summary>A proxy's 407 that the handler reports as a failure rather than as an answer (a refused CONNECT tunnel).</summary>
        private static bool IsProxyAuthenticationRefusal(Exception e)
        {
            for (Exception? x = e; x != null; x = x.InnerException)
            {
                if (x is WebException web && (web.Response as HttpWebResponse)?.StatusCode == HttpStatusCode.ProxyAuthenticationRequired)
                {
                    return true;
                }

                // .NET 5 and later carry the tunnel's status in HttpRequestException.StatusCode, which .NET Framework lacks.
                if (x is HttpRequestException && x.GetType().GetProperty("StatusCode")?.GetValue(x) is HttpStatusCode status && status == HttpStatusCode.ProxyAuthenticationRequired)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Null when the redirect may be followed; otherwise why not.</summary>
        private static ZulipErrorMapper.RedirectRefusal? RefuseRedirect(ZulipRequest request, Uri current, Uri? location, int redirectsSoFar)
        {
            if (request.FormBody != null || request.Authorization != null || !request.FollowSameHostRedirects)
            {
                return ZulipErrorMapper.RedirectRefusal.CarriesSecret;
            }

            if (location == null || !ServerAddress.SameHost(location, request.Uri))
            {
                return ZulipErrorMapper.RedirectRefusal.OtherHost;
            }

            if (IsDowngrade(current, location))
            {
                return ZulipErrorMapper.RedirectRefusal.Downgrade;
            }

            return redirectsSoFar >= MaxRedirects ? ZulipErrorMapper.RedirectRefusal.TooMany : (ZulipErrorMapper.RedirectRefusal?)null;
        }

        private static bool IsRedirect(HttpStatusCode status) => (int)status >= 300 && (int)status < 400 && status != HttpStatusCode.NotModified;

        private static bool IsDowngrade(Uri from, Uri to) => from.Scheme == Uri.UriSchemeHttps && to.Scheme == Uri.UriSchemeHttp;

        private static Uri? ResolveLocation(Uri requestUri, HttpResponseMessage response)
        {
            var location = response.Headers.Location;
            if (location == null)
            {
                return null;
            }

            return location.IsAbsoluteUri ? location : new Uri(requestUri, location);
        }

        /// <summary>A server's wait in seconds, capped at a year so that an absurd value (1e30, Infinity) cannot overflow TimeSpan.</summary>
        internal static TimeSpan RetryAfterFromSeconds(double seconds) => TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(365).TotalSeconds));

        private static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
        {
            // Zulip sends fractional seconds ("Retry-After: 0.5"), which the typed header parser rejects.
            if (response.Headers.TryGetValues("Retry-After", out var values))
            {
                var text = values.FirstOrDefault();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                {
                    return RetryAfterFromSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                {
                    var wait = date - DateTimeOffset.UtcNow;
                    return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
                }
            }

            return null;
        }
    }
}
