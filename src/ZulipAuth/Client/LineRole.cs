namespace ZulipAuth.Client
{
    /// <summary>What one line of a zuliprc is to configparser.</summary>
    internal enum LineRole
    {
        Blank,
        Comment,
        Header,
        Option,

        /// <summary>An indented line that continues the value of the setting above it.</summary>
        Continuation,
    }
}
