namespace ZulipAuth
{
    /// <summary>
    /// The stable ErrorIds of the module. Scripts branch on these (via FullyQualifiedErrorId), so a value
    /// never changes once released; docs/troubleshooting.md has one section per id.
    /// </summary>
    public static class ZulipErrorId
    {
        public const string AuthenticationFailed = "ZulipAuthenticationFailed";
        public const string UserDeactivated = "ZulipUserDeactivated";
        public const string RealmDeactivated = "ZulipRealmDeactivated";
        public const string PasswordAuthDisabled = "ZulipPasswordAuthDisabled";
        public const string PasswordResetRequired = "ZulipPasswordResetRequired";
        public const string InvalidSubdomain = "ZulipInvalidSubdomain";
        public const string InvalidUsername = "ZulipInvalidUsername";
        public const string RateLimited = "ZulipRateLimited";
        public const string RequestRejected = "ZulipRequestRejected";
        public const string ServerError = "ZulipServerError";
        public const string UnexpectedResponse = "ZulipUnexpectedResponse";
        public const string Redirected = "ZulipRedirected";
        public const string ConnectionFailed = "ZulipConnectionFailed";
        public const string CertificateError = "ZulipCertificateError";
        public const string ProxyAuthenticationRequired = "ZulipProxyAuthenticationRequired";
        public const string Timeout = "ZulipTimeout";
        public const string InvalidServer = "ZulipInvalidServer";
        public const string UnencryptedAuthentication = "ZulipUnencryptedAuthentication";
        public const string NotDevelopmentServer = "ZulipNotDevelopmentServer";
        public const string InvalidApiKey = "ZulipInvalidApiKey";
        public const string ConfigNotFound = "ZulipConfigNotFound";
        public const string ConfigInvalid = "ZulipConfigInvalid";
        public const string ConfigReadFailed = "ZulipConfigReadFailed";
        public const string ConfigExists = "ZulipConfigExists";
        public const string ConfigWriteFailed = "ZulipConfigWriteFailed";
        public const string InvalidPath = "ZulipInvalidPath";
        public const string ConflictingParameters = "ZulipConflictingParameters";
        public const string CredentialNotEntered = "ZulipCredentialNotEntered";
        public const string GuestNotAllowed = "ZulipGuestNotAllowed";
        public const string BotCallerNotAllowed = "ZulipBotCallerNotAllowed";
        public const string NoSuchBot = "ZulipNoSuchBot";
        public const string NoSuchUser = "ZulipNoSuchUser";
        public const string NotABot = "ZulipNotABot";
        public const string InsufficientPermission = "ZulipInsufficientPermission";
        public const string OwnerRequired = "ZulipOwnerRequired";
        public const string BotKeyOwnerOnly = "ZulipBotKeyOwnerOnly";
        public const string JwtNotEnabled = "ZulipJwtNotEnabled";
        public const string JwtInvalid = "ZulipJwtInvalid";
        public const string JwtNoEmail = "ZulipJwtNoEmail";
        public const string FeatureUnsupported = "ZulipFeatureUnsupported";
        public const string RotatedButNotSaved = "ZulipRotatedButNotSaved";
        public const string WebLoginNotOffered = "ZulipWebLoginNotOffered";
        public const string AuthenticationMethodNotOffered = "ZulipAuthenticationMethodNotOffered";
        public const string AuthenticationMethodRequired = "ZulipAuthenticationMethodRequired";
        public const string WebLoginUrlRefused = "ZulipWebLoginUrlRefused";
        public const string WebLoginTimeout = "ZulipWebLoginTimeout";
        public const string WebLoginRedirectInvalid = "ZulipWebLoginRedirectInvalid";
        public const string SchemeHandlerFailed = "ZulipSchemeHandlerFailed";
        public const string BrowserLaunchFailed = "ZulipBrowserLaunchFailed";
        public const string DesktopTokenInvalid = "ZulipDesktopTokenInvalid";
        public const string LoginTokenExpired = "ZulipLoginTokenExpired";
        public const string CsrfFailed = "ZulipCsrfFailed";
        public const string WebLoginPasswordIncorrect = "ZulipWebLoginPasswordIncorrect";
        public const string CertificateUnusable = "ZulipCertificateUnusable";
        public const string ClientCertificateNotFound = "ZulipClientCertificateNotFound";
        public const string ClientCertificateKeyUnsupported = "ZulipClientCertificateKeyUnsupported";
    }
}
