namespace ZulipAuth.Client
{
    /// <summary>How a request reaches the network: the system proxy (the default), no proxy, or a given one.</summary>
    internal enum ProxyMode
    {
        System,
        None,
        Explicit,
    }
}
