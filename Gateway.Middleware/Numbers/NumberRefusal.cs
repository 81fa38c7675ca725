namespace Gateway.Middleware.Numbers;

/// <summary>Which number rule refuses a number.</summary>
internal enum NumberRefusal
{
    /// <summary>No rule: the number may be sent a code.</summary>
    None,

    /// <summary>Its region is not in <c>Numbers:AllowRegions</c>.</summary>
    Region,

    /// <summary>It starts with one of <c>Numbers:DenyPrefixes</c>.</summary>
    Prefix,

    /// <summary>Its type is one of <c>Numbers:DenyTypes</c>.</summary>
    Type,
}
