namespace Gateway.Middleware.Health;

/// <summary>The name an SMS code store check was registered under, one per <c>AddSmsCodeStoreCheck</c>.</summary>
internal sealed record SmsCodeStoreCheckName(string Name);
