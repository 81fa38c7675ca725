namespace DemoSmsProvider;

/// <summary>One message the demo provider "sent".</summary>
public sealed record SentMessage(string Mobile, string Code, DateTimeOffset ReceivedAt);
