namespace ZulipAuth.Client
{
    /// <summary>The key-lifecycle routes, whose 400 answers differ only by message.</summary>
    internal enum LifecycleRoute
    {
        RegenerateOwnKey,
        BotApiKey,
        OwnBots,
        RegenerateBotKey,
        UserLookup,
        JwtFetchApiKey,
        Register,
    }
}
