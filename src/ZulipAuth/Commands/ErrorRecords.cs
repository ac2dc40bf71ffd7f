using System.Collections.Generic;
using System.Management.Automation;

namespace ZulipAuth.Commands
{
    /// <summary>The one place an ErrorId gets its PowerShell ErrorCategory.</summary>
    internal static class ErrorRecords
    {
        private static readonly Dictionary<string, ErrorCategory> Categories = new Dictionary<string, ErrorCategory>
        {
            [ZulipErrorId.AuthenticationFailed] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.UserDeactivated] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.RealmDeactivated] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.PasswordAuthDisabled] = ErrorCategory.NotEnabled,
            [ZulipErrorId.PasswordResetRequired] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.InvalidSubdomain] = ErrorCategory.ObjectNotFound,
            [ZulipErrorId.InvalidUsername] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.RateLimited] = ErrorCategory.LimitsExceeded,
            [ZulipErrorId.RequestRejected] = ErrorCategory.InvalidOperation,
            [ZulipErrorId.ServerError] = ErrorCategory.ResourceUnavailable,
            [ZulipErrorId.UnexpectedResponse] = ErrorCategory.InvalidResult,
            [ZulipErrorId.Redirected] = ErrorCategory.InvalidOperation,
            [ZulipErrorId.ConnectionFailed] = ErrorCategory.ConnectionError,
            [ZulipErrorId.CertificateError] = ErrorCategory.SecurityError,
            [ZulipErrorId.ProxyAuthenticationRequired] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.Timeout] = ErrorCategory.OperationTimeout,
            [ZulipErrorId.InvalidServer] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.UnencryptedAuthentication] = ErrorCategory.SecurityError,
            [ZulipErrorId.NotDevelopmentServer] = ErrorCategory.NotEnabled,
            [ZulipErrorId.InvalidApiKey] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.ConfigNotFound] = ErrorCategory.ObjectNotFound,
            [ZulipErrorId.ConfigInvalid] = ErrorCategory.InvalidData,
            [ZulipErrorId.ConfigReadFailed] = ErrorCategory.ReadError,
            [ZulipErrorId.ConfigExists] = ErrorCategory.ResourceExists,
            [ZulipErrorId.ConfigWriteFailed] = ErrorCategory.WriteError,
            [ZulipErrorId.InvalidPath] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.ConflictingParameters] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.CredentialNotEntered] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.GuestNotAllowed] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.BotCallerNotAllowed] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.NoSuchBot] = ErrorCategory.ObjectNotFound,
            [ZulipErrorId.NoSuchUser] = ErrorCategory.ObjectNotFound,
            [ZulipErrorId.NotABot] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.InsufficientPermission] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.OwnerRequired] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.BotKeyOwnerOnly] = ErrorCategory.PermissionDenied,
            [ZulipErrorId.JwtNotEnabled] = ErrorCategory.NotEnabled,
            [ZulipErrorId.JwtInvalid] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.JwtNoEmail] = ErrorCategory.InvalidData,
            [ZulipErrorId.FeatureUnsupported] = ErrorCategory.NotImplemented,
            [ZulipErrorId.RotatedButNotSaved] = ErrorCategory.WriteError,
            [ZulipErrorId.WebLoginNotOffered] = ErrorCategory.NotEnabled,
            [ZulipErrorId.AuthenticationMethodNotOffered] = ErrorCategory.ObjectNotFound,
            [ZulipErrorId.AuthenticationMethodRequired] = ErrorCategory.InvalidArgument,
            [ZulipErrorId.WebLoginUrlRefused] = ErrorCategory.SecurityError,
            [ZulipErrorId.WebLoginTimeout] = ErrorCategory.OperationTimeout,
            [ZulipErrorId.WebLoginRedirectInvalid] = ErrorCategory.SecurityError,
            [ZulipErrorId.SchemeHandlerFailed] = ErrorCategory.ResourceUnavailable,
            [ZulipErrorId.BrowserLaunchFailed] = ErrorCategory.ResourceUnavailable,
            [ZulipErrorId.DesktopTokenInvalid] = ErrorCategory.InvalidData,
            [ZulipErrorId.LoginTokenExpired] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.CsrfFailed] = ErrorCategory.SecurityError,
            [ZulipErrorId.WebLoginPasswordIncorrect] = ErrorCategory.AuthenticationError,
            [ZulipErrorId.CertificateUnusable] = ErrorCategory.InvalidData,
            [ZulipErrorId.ClientCertificateNotFound] = ErrorCategory.ObjectNotFound,
            [ZulipErrorId.ClientCertificateKeyUnsupported] = ErrorCategory.NotImplemented,
        };

        public static ErrorCategory CategoryOf(string errorId) =>
            Categories.TryGetValue(errorId, out var category) ? category : ErrorCategory.NotSpecified;

        /// <summary>A failure found by the cmdlet itself (what happened, then what to do), targeting <paramref name="target"/>.</summary>
        public static ErrorRecord Failure(string errorId, string what, string hint, object? target, System.Exception? inner = null) =>
            Create(ZulipApiException.WithHint(errorId, what, hint, inner), target);

        /// <summary>An ErrorRecord whose target is <paramref name="target"/> (a server Uri or a path; never a credential).</summary>
        public static ErrorRecord Create(ZulipApiException exception, object? target)
        {
            var record = new ErrorRecord(exception, exception.ErrorId, CategoryOf(exception.ErrorId), target);
            if (!string.IsNullOrEmpty(exception.Hint))
            {
                // The console shows what happened and, under "Recommendation:", what to do: each said once.
                record.ErrorDetails = new ErrorDetails(string.IsNullOrEmpty(exception.What) ? exception.Message : exception.What) { RecommendedAction = exception.Hint };
            }

            return record;
        }
    }
}
