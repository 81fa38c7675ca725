namespace Gateway.Tests.Infrastructure;

/// <summary>One request of a <see cref="FailoverLoad"/>: its mobile, whether it asked again for an issued mobile, its status and when it ran.</summary>
internal sealed record LoadRequest(string Mobile, bool IsRepeat, int Status, TimeSpan Started, TimeSpan Finished, string? Failure);
