namespace ZulipAuth.Client
{
    /// <summary>What a path names, as far as reading or replacing a zuliprc is concerned.</summary>
    internal enum FileKind
    {
        Missing,
        Regular,
        Directory,

        /// <summary>A device, FIFO, socket or broken symlink: never opened, never replaced.</summary>
        Other,
    }
}
