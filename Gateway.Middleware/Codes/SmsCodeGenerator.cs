using System.Security.Cryptography;

namespace Gateway.Middleware.Codes;

/// <summary>Codes from the operating system's cryptographically secure generator, each digit uniform.</summary>
internal sealed class SmsCodeGenerator : ISmsCodeGenerator
{
    private const string Digits = "0123456789";

    public string Generate(int length) =>
        string.Create(length, 0, static (span, _) => RandomNumberGenerator.GetItems(Digits, span));
}
