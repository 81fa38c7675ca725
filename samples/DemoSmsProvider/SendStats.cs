namespace DemoSmsProvider;

/// <summary>
/// Counts since the last reset, for audits: every send, the distinct mobiles, the mobiles sent to more than once,
/// and of those the ones whose two closest sends were less than <see cref="WithinSeconds"/> apart.
/// </summary>
public sealed record SendStats(long Total, int Distinct, int Repeated, int RepeatedWithin, double WithinSeconds);
