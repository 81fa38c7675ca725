namespace Gateway.Middleware.Store;

/// <summary>
/// What the issue script appends to a policy's audit stream: the policy and the masked mobile (never the code or the
/// whole mobile); the script adds the outcome. <see cref="Off"/> when the policy has no audit stream.
/// </summary>
internal readonly record struct SmsCodeAudit(string? StreamKey, string Policy, string MaskedMobile)
{
    public static SmsCodeAudit Off => default;

    public bool IsOn => StreamKey is not null;
}
