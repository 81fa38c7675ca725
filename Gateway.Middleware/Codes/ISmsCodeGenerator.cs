namespace Gateway.Middleware.Codes;

/// <summary>Makes verification codes.</summary>
internal interface ISmsCodeGenerator
{
    /// <summary>A code of <paramref name="length"/> decimal digits, zero-padded.</summary>
    string Generate(int length);
}
