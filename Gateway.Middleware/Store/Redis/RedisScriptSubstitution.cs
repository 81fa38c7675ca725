namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// A test's way to have the Redis store send another text in place of one of its scripts: a copy with a
/// deliberate bug, to show that the contract tests catch it (Gateway.Tests' LuaMutationTests). Registered as a
/// service, it is given to the store that <c>SmsCodeGate:Redis</c> configures; the gateway itself never registers one.
/// The script is named by its text, wherever that text came from.
/// </summary>
internal sealed class RedisScriptSubstitution
{
    private readonly string _original;
    private readonly RedisScript _copy;
    private long _uses;

    public RedisScriptSubstitution(string original, string copy)
    {
        ArgumentException.ThrowIfNullOrEmpty(original);
        ArgumentException.ThrowIfNullOrEmpty(copy);
        _original = original;
        _copy = new RedisScript(copy);
    }

    /// <summary>How many calls were sent the copy: 0 means the test never reached the script it broke.</summary>
    public long Uses => Interlocked.Read(ref _uses);

    /// <summary>The copy in place of the original script, any other script as it is.</summary>
    public RedisScript For(RedisScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (!string.Equals(script.Source, _original, StringComparison.Ordinal))
        {
            return script;
        }

        Interlocked.Increment(ref _uses);
        return _copy;
    }
}
