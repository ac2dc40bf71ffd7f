using System;
using System.Net;
using System.Net.Http;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The one place that decides whether a redirect is followed. Only a request without a secret follows one,
    /// and only to http(s) on the same host, never from https to http, at most <see cref="MaxRedirects"/> times.
    /// A scheme other than http and https (ws:, file:, ftp:, javascript:, ...) is refused on every request.
    /// </summary>
    internal static class RedirectPolicy
    {
        public const int MaxRedirects = 5;

        public static bool IsRedirect(HttpStatusCode status) => (int)status >= 300 && (int)status < 400 && status != HttpStatusCode.NotModified;

        /// <summary>Null when the redirect may be followed; otherwise why not.</summary>
        public static RedirectRefusal? Refuse(ZulipRequest request, Uri current, Uri? location, int redirectsSoFar)
        {
            if (location != null && !IsWebScheme(location))
            {
                return RedirectRefusal.SchemeNotAllowed;
            }

            if (request.CarriesSecret || request.FormBody != null || !request.FollowSameHostRedirects)
            {
                return RedirectRefusal.CarriesSecret;
            }

            if (location == null || !ServerAddress.SameHost(location, request.Uri))
            {
                return RedirectRefusal.OtherHost;
            }

            if (current.Scheme == Uri.UriSchemeHttps && location.Scheme == Uri.UriSchemeHttp)
            {
                return RedirectRefusal.Downgrade;
            }

            return redirectsSoFar >= MaxRedirects ? RedirectRefusal.TooMany : (RedirectRefusal?)null;
        }

        /// <summary>The Location of a redirect, absolute; null when there is none or it cannot be read as a URL.</summary>
        public static Uri? LocationOf(Uri requestUri, HttpResponseMessage response)
        {
            try
            {
                var location = response.Headers.Location;
                if (location == null)
                {
                    return null;
                }

                return location.IsAbsoluteUri ? location : Uri.TryCreate(requestUri, location, out var resolved) ? resolved : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        public static bool IsWebScheme(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp;
    }
}
