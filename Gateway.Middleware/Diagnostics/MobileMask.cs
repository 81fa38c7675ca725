namespace Gateway.Middleware.Diagnostics;

/// <summary>Masks a mobile for logs: <c>13800138000</c> becomes <c>138****8000</c>.</summary>
internal static class MobileMask
{
    public static string Mask(string? mobile)
    {
        if (string.IsNullOrEmpty(mobile) || mobile.Length < 8)
        {
            return "****";
        }

        return string.Create(mobile.Length, mobile, static (span, source) =>
        {
            source.AsSpan().CopyTo(span);
            span[3..^4].Fill('*');
        });
    }
}
