namespace Gateway.Tests.Common;

/// <summary>Distinct valid mobiles, so that tests sharing a store never share a key.</summary>
public static class TestMobiles
{
    private static long s_next = 13_800_000_000 + (Random.Shared.Next(0, 1_000_000) * 100L);

    public static string Next() => Interlocked.Increment(ref s_next).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
