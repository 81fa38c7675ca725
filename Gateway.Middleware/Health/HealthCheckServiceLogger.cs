using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Health;

/// <summary>
/// The logger of ASP.NET Core's health check service (<c>DefaultHealthCheckService</c>, the <typeparamref name="T"/>
/// it is made for), which writes an Error line for every unhealthy probe: during a Redis outage, one line per
/// <c>/readyz</c> probe. Its end line for the SMS code store's own checks is left out, since those checks log their
/// failures themselves, through the gate's log throttle; every other line, other checks' included, passes unchanged.
/// </summary>
internal sealed class HealthCheckServiceLogger<T> : ILogger<T>
{
    /// <summary>The health check service's event "HealthCheckEnd" (its <c>EventIds.HealthCheckEndId</c>).</summary>
    internal const int HealthCheckEndId = 103;

    private readonly ILogger _inner;
    private readonly HashSet<string> _storeChecks;

    public HealthCheckServiceLogger(ILoggerFactory loggerFactory, IEnumerable<SmsCodeStoreCheckName> storeChecks)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(storeChecks);
        _inner = new Logger<T>(loggerFactory);
        _storeChecks = storeChecks.Select(check => check.Name).ToHashSet(StringComparer.Ordinal);
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning && eventId.Id == HealthCheckEndId && IsStoreCheck(state))
        {
            return;
        }

        _inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private bool IsStoreCheck<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(pair => pair.Key == "HealthCheckName" && pair.Value is string name && _storeChecks.Contains(name));
}
