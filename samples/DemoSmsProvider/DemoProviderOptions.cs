namespace DemoSmsProvider;

/// <summary>Settings bound from the <c>DemoProvider</c> configuration section.</summary>
public sealed class DemoProviderOptions
{
    public const string SectionName = "DemoProvider";

    /// <summary>Request header that carries the verification code.</summary>
    public string CodeHeader { get; set; } = "X-Sms-Code";

    /// <summary>When non-zero, <c>/send</c> answers this status and records nothing.</summary>
    public int FailWith { get; set; }

    /// <summary>Upper bound on remembered messages; the oldest are dropped first.</summary>
    public int MaxRecorded { get; set; } = 10_000;

    /// <summary>How long <c>/send</c> waits after recording a message before it answers (a slow provider); default none.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When true, sends are recorded but not printed (benchmarks: one console line per SMS costs CPU).</summary>
    public bool Quiet { get; set; }
}
