namespace Gateway.Tests.Infrastructure;

/// <summary>What <see cref="FailoverLoad.AuditAsync"/> found wrong; all empty when the failover lost nothing.</summary>
/// <param name="Unexpected">Requests answered otherwise than a failover allows (see <see cref="FailoverLoad.AuditAsync"/>).</param>
/// <param name="SentTwice">Mobiles the provider was asked to text more than once inside their interval.</param>
/// <param name="SentWithout200">Mobiles the provider was asked to text whose request was not answered 200.</param>
/// <param name="NotStored">Mobiles answered 200 whose stored code is missing or not the one the provider was sent.</param>
/// <param name="CodesChecked">How many stored codes were read.</param>
internal sealed record FailoverAudit(
    IReadOnlyList<LoadRequest> Unexpected,
    IReadOnlyList<string> SentTwice,
    IReadOnlyList<string> SentWithout200,
    IReadOnlyList<string> NotStored,
    int CodesChecked)
{
    public bool LostNothing => Unexpected.Count == 0 && SentTwice.Count == 0 && SentWithout200.Count == 0 && NotStored.Count == 0;

    public override string ToString() => string.Join(Environment.NewLine,
        $"audit: {CodesChecked} codes answered 200 read back after the failover",
        $"  answered otherwise than 200/503 (fresh) or 400/503 (repeat): {Unexpected.Count}{Example(Unexpected)}",
        $"  mobiles sent two SMS: {SentTwice.Count}{Example(SentTwice)}",
        $"  SMS without a 200: {SentWithout200.Count}{Example(SentWithout200)}",
        $"  200s whose code is not stored: {NotStored.Count}{Example(NotStored)}");

    private static string Example<T>(IReadOnlyList<T> items) => items.Count == 0 ? "" : $", e.g. {items[0]}";
}
