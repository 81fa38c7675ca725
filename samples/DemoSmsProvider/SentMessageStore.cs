using Microsoft.Extensions.Options;

namespace DemoSmsProvider;

/// <summary>Thread-safe, bounded in-memory record of sent messages.</summary>
public sealed class SentMessageStore(IOptionsMonitor<DemoProviderOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Queue<SentMessage> _messages = new();

    public void Add(SentMessage message)
    {
        var max = Math.Max(1, options.CurrentValue.MaxRecorded);
        lock (_gate)
        {
            _messages.Enqueue(message);
            while (_messages.Count > max)
            {
                _messages.Dequeue();
            }
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

    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
        }
    }
}
