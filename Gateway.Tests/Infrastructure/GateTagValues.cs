using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The tag values one host's gate records with its counters (results such as <see cref="SmsCodeGateResults.Repeated"/>,
/// store error types), in the order recorded: why the gate answered as it did, and the moment it decided, for a test
/// that must act only after that instead of after a guessed time. Listens to that host's meters only, not to those of
/// tests running alongside; reads no instrument by name.
/// </summary>
internal sealed class GateTagValues : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _values = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _awaited = new(StringComparer.Ordinal);

    public GateTagValues(GatewayHost host)
    {
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SmsCodeGateDiagnostics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Value is string value)
                {
                    _values.Enqueue(value);
                    Awaited(value).TrySetResult();
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Every tag value recorded so far, in order.</summary>
    public IReadOnlyList<string> Values => _values.ToList();

    /// <summary>Completes once <paramref name="value"/> has been recorded (at once when it already was).</summary>
    public Task RecordedAsync(string value) => Awaited(value).Task;

    public void Dispose() => _listener.Dispose();

    private TaskCompletionSource Awaited(string value) =>
        _awaited.GetOrAdd(value, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
