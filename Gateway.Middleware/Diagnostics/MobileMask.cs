namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// Masks a mobile for logs: <c>13800138000</c> becomes <c>138****8000</c>. Shorter values (not mobiles the
/// pattern accepts, but they reach the logs of a 404) keep less, so that most of them is always hidden.
/// </summary>
internal static class MobileMask
{
    private const int FullLength = 11;
    private const int MinimumLength = 8;

    public static string Mask(string? mobile)
    {
        if (string.IsNullOrEmpty(mobile) || mobile.Length < MinimumLength)
        {
            return "****";
        }

        return string.Create(mobile.Length, mobile, static (span, source) =>
        {
            var (head, tail) = source.Length >= FullLength ? (3, 4) : (2, 2);
            source.AsSpan().CopyTo(span);
            span[head..^tail].Fill('*');
        });
    }
}
