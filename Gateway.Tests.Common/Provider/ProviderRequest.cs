namespace Gateway.Tests.Common.Provider;

/// <summary>What the recording provider received in one request.</summary>
public sealed record ProviderRequest(
    string Method, string Path, string Mobile, IReadOnlyList<string> CodeHeaderValues, IReadOnlyDictionary<string, string> Headers,
    string Query = "", int BodyLength = 0, string Body = "")
{
    public string? Code => CodeHeaderValues.Count == 1 ? CodeHeaderValues[0] : null;
}
