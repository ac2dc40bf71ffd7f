namespace ZulipAuth.Client
{
    /// <summary>Which endpoint answered: the same status means different things on each.</summary>
    internal enum ZulipEndpoint
    {
        FetchApiKey,
        DevFetchApiKey,
        ServerSettings,
        UsersMe,
    }
}
