namespace Gateway.Middleware.Store;

/// <summary>The management side of number blocks: the blocked ones, and unblocking one. Both stores implement it.</summary>
internal interface ISmsCodeBlockStore
{
    /// <summary>
    /// The blocked blocks of one policy's keys: every live key of <paramref name="database"/> named
    /// <paramref name="prefix"/>, a block (digits), <paramref name="suffix"/>.
    /// </summary>
    ValueTask<IReadOnlyList<SmsCodeBlockedBlock>> ListBlockedAsync(int database, string prefix, string suffix, CancellationToken cancellationToken);

    /// <summary>
    /// Unblocks a block: deletes its blocked key and its counters of the window, so that the guard starts afresh.
    /// False when it was not blocked.
    /// </summary>
    ValueTask<bool> UnblockAsync(int database, string blockedKey, string counterKey, CancellationToken cancellationToken);
}
