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
}
