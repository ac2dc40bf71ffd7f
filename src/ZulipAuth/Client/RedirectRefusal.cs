namespace ZulipAuth.Client
{
    /// <summary>Why a redirect was not followed.</summary>
    internal enum RedirectRefusal
    {
        CarriesSecret,
        OtherHost,
        Downgrade,
        TooMany,
        SchemeNotAllowed,
    }
}
