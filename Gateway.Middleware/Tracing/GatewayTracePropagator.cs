using System.Diagnostics;
using System.Net.Http;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// The propagator of every cluster's handler but a provider cluster's (which has none), around YARP's
/// <c>ReverseProxyPropagator</c> (which removes the trace headers copied from the client and injects the current
/// activity's). To a send route's request on a cluster not marked <c>SmsProvider</c> it propagates nothing: the SMS
/// provider gets no trace context. To a legacy app it propagates as usual, but drops a baggage header longer than
/// <see cref="MaxBaggageLength"/> characters, cut at a list member: ASP.NET Core builds the activity's baggage from
/// the client's header, so the client would decide how much every request to the app carries.
/// </summary>
internal sealed class GatewayTracePropagator : DistributedContextPropagator
{
    /// <summary>The W3C Baggage limit: 8192 bytes for the whole header (all ASCII after percent-encoding, so characters).</summary>
    public const int MaxBaggageLength = 8192;

    private readonly DistributedContextPropagator _inner;

    public GatewayTracePropagator(DistributedContextPropagator inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    public override IReadOnlyCollection<string> Fields => _inner.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (setter is null || carrier is not HttpRequestMessage message)
        {
            _inner.Inject(activity, carrier, setter);
            return;
        }

        if (ProviderCall.Is(message))
        {
            foreach (var name in ProviderCall.TraceHeaders)
            {
                message.Headers.Remove(name);
            }

            return;
        }

        _inner.Inject(activity, carrier, (c, name, value) =>
        {
            string? bounded = value;
            if (Bounded(name, ref bounded))
            {
                setter(c, name, bounded!);
            }
        });
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        _inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        _inner.ExtractBaggage(carrier, getter);

    /// <summary>False when <paramref name="value"/> is baggage with no member that fits; else cut to whole members that do.</summary>
    internal static bool Bounded(string name, ref string? value)
    {
        if (value is null || value.Length <= MaxBaggageLength
            || !(name.Equals("baggage", StringComparison.OrdinalIgnoreCase) || name.Equals("Correlation-Context", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        var cut = value.LastIndexOf(',', MaxBaggageLength);
        value = cut > 0 ? value[..cut] : null;
        return value is not null;
    }
}
