using System;

namespace ZulipAuth.Client
{
    /// <summary>
    /// The one rule for where a secret may travel: https always; plain http only when the user opted in, or when
    /// the request goes straight to this machine (a development server) with no proxy in between; any other
    /// scheme never, whatever the opt-in. Checked against the URL a request is actually sent to.
    /// </summary>
    internal static class EncryptionRule
    {
        private const string Hint = "Use https:// (Zulip servers serve it), or, if you accept the risk, add -AllowUnencryptedAuthentication.";

        /// <summary>Throws ZulipUnencryptedAuthentication when <paramref name="secret"/> may not be sent to <paramref name="target"/> by <paramref name="route"/>.</summary>
        public static void Require(Uri target, ProxyRoute route, bool allowUnencrypted, string secret)
        {
            var refusal = Refusal(target, route, allowUnencrypted, secret);
            if (refusal != null)
            {
                throw refusal;
            }
        }

        /// <summary>Null when <paramref name="secret"/> may go to <paramref name="target"/>; otherwise the failure to report.</summary>
        public static ZulipApiException? Refusal(Uri target, ProxyRoute route, bool allowUnencrypted, string secret)
        {
            var where = target.GetLeftPart(UriPartial.Authority) + "/";
            if (target.Scheme == Uri.UriSchemeHttps)
            {
                return null;
            }

            if (target.Scheme != Uri.UriSchemeHttp)
            {
                // ws:// goes out as plain http, file:// and ftp:// are not HTTP at all: no opt-in covers them.
                return Fail($"{where} uses the scheme '{target.Scheme}', which is not https, so {secret} could not be sent encrypted. Nothing was sent.", "Use the organization's https:// URL.", target);
            }

            if (allowUnencrypted)
            {
                return null;
            }

            if (ServerAddress.IsLoopback(target))
            {
                if (route.IsDirect)
                {
                    return null;
                }

                var via = route.Proxy == null ? "a proxy (the system's proxy settings)" : "the proxy " + route.Proxy.GetLeftPart(UriPartial.Authority);
                return Fail($"{where} is this machine, but the request would go through {via}, so {secret} would cross the network unencrypted. Nothing was sent.", "Go direct with -NoProxy, use https://, or, if you accept the risk, add -AllowUnencryptedAuthentication.", target);
            }

            return Fail($"{where} uses http://, so {secret} would cross the network unencrypted. Nothing was sent.", Hint, target);
        }

        private static ZulipApiException Fail(string what, string hint, Uri target)
        {
            var failure = ZulipApiException.WithHint(ZulipErrorId.UnencryptedAuthentication, what, hint);
            failure.RequestUri = target;
            return failure;
        }
    }
}
