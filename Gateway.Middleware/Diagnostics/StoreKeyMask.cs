namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// Masks the mobile inside a store key for logs: <c>sms_state_13800138000</c> becomes <c>sms_state_138****8000</c>,
/// so that a line names which kind of key it is about without the whole mobile.
/// </summary>
internal static class StoreKeyMask
{
    public static string Mask(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // The longest run of digits (with a leading '+') is the mobile: key templates' own text is not a mobile's length.
        var (start, length) = (0, 0);
        for (var i = 0; i < key.Length;)
        {
            var end = i;
            while (end < key.Length && (char.IsAsciiDigit(key[end]) || (end == i && key[end] == '+')))
            {
                end++;
            }

            if (end - i > length)
            {
                (start, length) = (i, end - i);
            }

            i = end == i ? i + 1 : end;
        }

        return length == 0 ? key : string.Concat(key.AsSpan(0, start), MobileMask.Mask(key.Substring(start, length)), key.AsSpan(start + length));
    }
}
