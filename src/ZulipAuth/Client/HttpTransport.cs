using System;
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
    /// <summary>
    /// Sends one request and reads its answer within the time limit and the size limit, turning every way the
    /// network can fail into a <see cref="ZulipApiException"/> with its own ErrorId. It never follows a
    /// redirect with a body or credentials (<see cref="RedirectPolicy"/>), and checks the encryption rule
    /// (<see cref="EncryptionRule"/>) against the URL each request that carries a secret is actually sent to,
    /// by the route it actually takes (direct or through which proxy).
    /// </summary>
    internal sealed class HttpTransport
    {
        /// <summary>Zulip's answers here are a few kilobytes; anything past this is not a Zulip answer.</summary>
        public const int MaxResponseBytes = 1024 * 1024;

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
            if (HasTimeLimit(timeout))
            {
                timeoutSource.CancelAfter(timeout);
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            var uri = request.Uri;
            try
            {
                for (var redirects = 0; ; redirects++)
                {
                    if (request.CarriesSecret)
                    {
                        EncryptionRule.Require(uri, RouteTo(uri), request.AllowUnencrypted, request.SecretName);
                    }

                    if (!RedirectPolicy.IsWebScheme(uri))
                    {
                        throw ZulipErrorMapper.Unexpected(uri, $"the scheme '{uri.Scheme}' is not http or https, so nothing was sent.");
                    }

                    var response = await SendOnceAsync(request, uri, linked.Token, cancellationToken, timeoutSource.Token).ConfigureAwait(false);
                    response.RetrySafety = request.RetrySafety;
                    if (response.Location == null && !RedirectPolicy.IsRedirect(response.Status))
                    {
                        return response;
                    }

                    var refusal = RedirectPolicy.Refuse(request, uri, response.Location, redirects);
                    if (refusal != null)
                    {
                        throw ZulipErrorMapper.Redirected(response, refusal.Value);
                    }

                    uri = response.Location!;
                }
            }
            catch (ZulipApiException failure)
            {
                failure.RetrySafety = request.RetrySafety;
                throw;
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
                    var route = RouteTo(uri);
                    throw route.IsDirect && route.Proxy == null
                        ? ZulipErrorMapper.ProxyAuthenticationFromServer(uri)
                        : ZulipErrorMapper.ProxyAuthenticationRequired(uri, route.Proxy);
                }

                var location = RedirectPolicy.IsRedirect(status) ? RedirectPolicy.LocationOf(uri, response) : null;
                var mediaType = response.Content?.Headers.ContentType?.MediaType;
                var body = location == null ? await ReadBoundedAsync(response, uri, token).ConfigureAwait(false) : new ArraySegment<byte>(Array.Empty<byte>());
                var json = ZulipJson.TryParseObject(body.Array!, body.Count);
                return new ZulipResponse(uri, status, mediaType, json, ReadRetryAfter(response), location);
            }
            catch (InvalidDataException e) when (!stopToken.IsCancellationRequested && !timeoutToken.IsCancellationRequested)
            {
                // The handler's gzip or deflate stream met bytes that are not compressed data.
                throw ZulipErrorMapper.Undecodable(uri, response?.StatusCode ?? HttpStatusCode.OK, e);
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
                throw ZulipErrorMapper.ProxyAuthenticationRequired(uri, RouteTo(uri).Proxy, e);
            }
            catch (Exception e) when (e is HttpRequestException || e is IOException || e is WebException || e is SocketException || e is AuthenticationException || e is ObjectDisposedException)
            {
                throw WithBundleHint(ZulipErrorMapper.FromNetworkFailure(uri, e, RouteTo(uri).Proxy));
            }
            finally
            {
                response?.Dispose();
            }
        }

        /// <summary>The answer's body, read up to <paramref name="maxBytes"/> and no further (ZulipUnexpectedResponse beyond).</summary>
        internal static async Task<ArraySegment<byte>> ReadBoundedAsync(HttpResponseMessage response, Uri uri, CancellationToken token, int maxBytes = MaxResponseBytes)
        {
            if (response.Content == null)
            {
                return new ArraySegment<byte>(Array.Empty<byte>());
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw ZulipErrorMapper.TooLarge(uri, response.StatusCode, maxBytes);
            }

            // .NET Framework's response stream ignores the token; disposing the response unblocks the read there.
            using var registration = token.Register(response.Dispose);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[Math.Min(maxBytes + 1, (int?)response.Content.Headers.ContentLength + 1 ?? 16 * 1024)];
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > maxBytes)
                    {
                        throw ZulipErrorMapper.TooLarge(uri, response.StatusCode, maxBytes);
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
                }

                var read = await stream.ReadAsync(buffer, total, buffer.Length - total, token).ConfigureAwait(false);
                if (read == 0)
                {
                    return new ArraySegment<byte>(buffer, 0, total);
                }

                total += read;
            }
        }

        /// <summary>
        /// A wait the platform can time. CancelAfter takes at most int.MaxValue milliseconds (about 24.8 days);
        /// anything longer, like 0, means no time limit.
        /// </summary>
        internal static bool HasTimeLimit(TimeSpan timeout) => timeout > TimeSpan.Zero && timeout.TotalMilliseconds <= int.MaxValue;

        /// <summary>How a request to <paramref name="target"/> travels; a client from outside the pool uses the system proxy.</summary>
        private ProxyRoute RouteTo(Uri target) =>
            client is PooledHttpClient pooled ? pooled.RouteTo(target) : ProxyRoute.Resolve(SystemProxy.Current, target);

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

        /// <summary>With a CA bundle, "trust or install the CA" is the wrong advice: the bundle is all that is trusted.</summary>
        private ZulipApiException WithBundleHint(ZulipApiException failure)
        {
            if (failure.ErrorId != ZulipErrorId.CertificateError || !(client is PooledHttpClient pooled) || pooled.Options.CertificateBundle == null)
            {
                return failure;
            }

            var uri = failure.RequestUri!;
            var better = ZulipApiException.WithHint(
                ZulipErrorId.CertificateError,
                $"The TLS certificate of {uri.Host} is not issued by a CA in '{pooled.Options.CertificateBundle}', or is not for that name, so nothing was sent over the connection.",
                "The bundle replaces the system's CAs for this call: check that it holds the CA that issued the server's certificate (or its intermediate), and use the name on the certificate.",
                failure.InnerException);
            better.RequestUri = uri;
            better.CertainlyNotSent = failure.CertainlyNotSent;
            return better;
        }

        private static TimeSpan? ReadRetryAfter(HttpResponseMessage response) =>
            response.Headers.TryGetValues("Retry-After", out var values) ? RetryAfter.FromHeader(values.FirstOrDefault(), DateTimeOffset.UtcNow) : null;
    }
}
