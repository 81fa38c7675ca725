using System.Reflection;
using Gateway.Middleware.Diagnostics;

namespace Gateway.Middleware.Tests.Diagnostics;

public sealed class EventIdsTests
{
    [Fact]
    public void EventIds_EveryId_UsedOnce()
    {
        var ids = typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (field.Name, Id: (int)field.GetRawConstantValue()!))
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Empty(ids.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}"));
    }
}
