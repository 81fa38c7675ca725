namespace Gateway.Middleware.Store;

/// <summary>
/// What an issue call passes besides the mobile's own keys, as the issue script's feature bits (<c>Feature</c> in
/// <c>codes.lua</c>): a feature that is off passes neither keys nor arguments.
/// </summary>
[Flags]
internal enum IssueFeatures
{
    None = 0,

    /// <summary>The hour, day, IP and spend counters, with their caps.</summary>
    Counters = 1,

    /// <summary>The audit stream entry.</summary>
    Audit = 2,

    /// <summary>The number block's counters, blocked key and the mobile's remembered key, with the block's limits.</summary>
    Block = 4,

    /// <summary>Redis Cluster: the mobile's remembered key, read for the number block checked in its own slot.</summary>
    Remembered = 8,
}
