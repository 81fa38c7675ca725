namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// The Lua scripts of the Redis store, one per operation: the <c>.lua</c> files of <c>Store/Redis/Lua/</c>, embedded
/// in the assembly. Each runs atomically in one round trip, sent by its SHA1 (EVALSHA), and by its source only when
/// the server answers NOSCRIPT (see <see cref="RedisScript"/>). Every key a script touches is passed in KEYS, so Redis
/// Cluster can route it. Each file's header says its KEYS, ARGV and answer.
/// </summary>
/// <remarks>
/// <c>codes.lua</c> (the return codes and feature bits, mirrored from <see cref="SmsCodeRefusal"/>,
/// <see cref="SmsCodeVerifyOutcome"/> and <see cref="IssueFeatures"/>) is prepended to every script, and
/// <c>attempt.lua</c> (what counting an attempt at a code means) to <c>count_attempt.lua</c> and <c>verify.lua</c>, and
/// <c>conversion.lua</c> (a successful verification, counted for its number block) to <c>verify.lua</c> and <c>use_up.lua</c>.
/// A set built from other texts (<see cref="RedisScripts(Func{string, string})"/>) lets a test run the store on a
/// changed copy of a script.
/// </remarks>
internal sealed class RedisScripts
{
    /// <summary>The audit stream's cap, approximate (<c>XADD ... MAXLEN ~</c>): Redis trims whole nodes.</summary>
    public const int AuditStreamMaxLength = 100_000;

    /// <summary>The file names of the scripts and of the parts prepended to them.</summary>
    public static class Files
    {
        public const string Codes = "codes.lua";
        public const string Attempt = "attempt.lua";
        public const string Conversion = "conversion.lua";
        public const string Issue = "issue.lua";
        public const string Revoke = "revoke.lua";
        public const string Reserve = "reserve.lua";
        public const string Release = "release.lua";
        public const string CountAttempt = "count_attempt.lua";
        public const string UseUp = "use_up.lua";
        public const string ReleaseAttempt = "release_attempt.lua";
        public const string Verify = "verify.lua";
        public const string ReserveBlock = "reserve_block.lua";
        public const string ReleaseBlock = "release_block.lua";
        public const string BlockVerified = "block_verified.lua";

        /// <summary>Every file, parts first.</summary>
        public static IReadOnlyList<string> All { get; } = [Codes, Attempt, Conversion, Issue, Revoke, Reserve, Release, CountAttempt, UseUp, ReleaseAttempt, Verify, ReserveBlock, ReleaseBlock, BlockVerified];
    }

    private const string ResourcePrefix = "Gateway.Middleware.Lua.";

    /// <summary>Builds the scripts from <paramref name="textOf"/>, which gives the text of a file named in <see cref="Files"/>.</summary>
    public RedisScripts(Func<string, string> textOf)
    {
        ArgumentNullException.ThrowIfNull(textOf);
        RedisScript Compose(params string[] files) => new(string.Join("\n", files.Select(textOf)));

        Issue = Compose(Files.Codes, Files.Issue);
        Revoke = Compose(Files.Codes, Files.Revoke);
        Reserve = Compose(Files.Codes, Files.Reserve);
        Release = Compose(Files.Codes, Files.Release);
        CountAttempt = Compose(Files.Codes, Files.Attempt, Files.CountAttempt);
        UseUp = Compose(Files.Codes, Files.Conversion, Files.UseUp);
        ReleaseAttempt = Compose(Files.Codes, Files.ReleaseAttempt);
        Verify = Compose(Files.Codes, Files.Attempt, Files.Conversion, Files.Verify);
        ReserveBlock = Compose(Files.Codes, Files.ReserveBlock);
        ReleaseBlock = Compose(Files.Codes, Files.ReleaseBlock);
        BlockVerified = Compose(Files.Codes, Files.BlockVerified);
    }

    /// <summary>The scripts as shipped, from the assembly's resources.</summary>
    public static RedisScripts Embedded { get; } = new(EmbeddedText);

    /// <summary>Checks and sets the send flag, stores the code and counts the caps.</summary>
    public RedisScript Issue { get; }

    /// <summary>Undoes an issue whose SMS did not go out, while no newer request has issued.</summary>
    public RedisScript Revoke { get; }

    /// <summary>Redis Cluster: counts a side counter (per IP, spend guard) that cannot share the mobile's slot.</summary>
    public RedisScript Reserve { get; }

    /// <summary>Takes back one count that <see cref="Reserve"/> made.</summary>
    public RedisScript Release { get; }

    /// <summary>Counts a legacy verify route's attempt and holds the code while it is at the app.</summary>
    public RedisScript CountAttempt { get; }

    /// <summary>The legacy app accepted a code: uses it up.</summary>
    public RedisScript UseUp { get; }

    /// <summary>The legacy app did not accept the attempt: lets go of the code.</summary>
    public RedisScript ReleaseAttempt { get; }

    /// <summary>The gate's own verify endpoint: counts the attempt and compares the code.</summary>
    public RedisScript Verify { get; }

    /// <summary>Redis Cluster: checks and counts a number block in its own slot, beside the mobile's issue script.</summary>
    public RedisScript ReserveBlock { get; }

    /// <summary>Redis Cluster: takes back the send that <see cref="ReserveBlock"/> counted.</summary>
    public RedisScript ReleaseBlock { get; }

    /// <summary>Redis Cluster: counts a successful verification for the mobile's number block, in the block's slot.</summary>
    public RedisScript BlockVerified { get; }

    /// <summary>The shipped text of a file named in <see cref="Files"/>.</summary>
    public static string EmbeddedText(string file)
    {
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream(ResourcePrefix + file)
            ?? throw new InvalidOperationException($"The script '{file}' is not embedded in {typeof(RedisScripts).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
