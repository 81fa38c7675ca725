using Microsoft.Extensions.Options;

namespace DemoSmsProvider;

/// <summary>
/// Thread-safe record of sent messages: the last <see cref="DemoProviderOptions.MaxRecorded"/> messages, and
/// per-mobile counts and gaps (on the monotonic clock) that are not bounded, for <see cref="Stats"/>.
/// </summary>
public sealed class SentMessageStore(IOptionsMonitor<DemoProviderOptions> options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Queue<SentMessage> _messages = new();
    private readonly Dictionary<string, MobileSends> _byMobile = new(StringComparer.Ordinal);
    private long _total;

    public void Add(SentMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var max = Math.Max(1, options.CurrentValue.MaxRecorded);
        var now = clock.GetTimestamp();
        lock (_gate)
        {
            _messages.Enqueue(message);
            while (_messages.Count > max)
            {
                _messages.Dequeue();
            }

            _total++;
            _byMobile[message.Mobile] = _byMobile.TryGetValue(message.Mobile, out var previous)
                ? new MobileSends(previous.Count + 1, now, Math.Min(previous.MinGap, now - previous.Last))
                : new MobileSends(1, now, long.MaxValue);
        }
    }

    public IReadOnlyList<SentMessage> Snapshot(string? mobile = null)
    {
        lock (_gate)
        {
            return string.IsNullOrEmpty(mobile)
                ? [.. _messages]
                : [.. _messages.Where(m => m.Mobile == mobile)];
        }
    }

    /// <summary>The counts since the last <see cref="Clear"/>; a repeat counts as close when under <paramref name="within"/>.</summary>
    public SendStats Stats(TimeSpan within)
    {
        var closeTicks = (long)(within.TotalSeconds * clock.TimestampFrequency);
        lock (_gate)
        {
            int repeated = 0, repeatedWithin = 0;
            foreach (var sends in _byMobile.Values)
            {
                if (sends.Count > 1)
                {
                    repeated++;
                    if (sends.MinGap < closeTicks)
                    {
                        repeatedWithin++;
                    }
                }
            }

            return new SendStats(_total, _byMobile.Count, repeated, repeatedWithin, within.TotalSeconds);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
            _byMobile.Clear();
            _total = 0;
        }
    }

    private readonly record struct MobileSends(int Count, long Last, long MinGap);
}
