using Microsoft.Extensions.Logging.Testing;

namespace Gateway.Tests.Common;

/// <summary>What the tests read of a <see cref="FakeLogRecord"/>: all that a log sink could write of it.</summary>
public static class FakeLogRecordExtensions
{
    /// <summary>
    /// The record's level, category and event, its formatted message, each of its structured state values (a
    /// structured sink writes them as they are, apart from the message), and its exception in full: type, message,
    /// stack and inner exceptions. A scan for leaks reads this; so does a failure message.
    /// </summary>
    public static string FullText(this FakeLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var state = record.StructuredState is { } pairs ? string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}")) : "";
        return $"{record.Level} {record.Category}[{record.Id.Id}:{record.Id.Name}] {record.Message} | {state} | {record.Exception}";
    }

    /// <summary>The records one to a line, for a failure message.</summary>
    public static string Describe(this IEnumerable<FakeLogRecord> records) =>
        string.Join(Environment.NewLine, records.Select(FullText));
}
