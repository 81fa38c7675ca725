using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Gate;

/// <summary>A revoke takes back only its own request's keys.</summary>
public sealed partial class RedisStoreTests
{
    [Fact]
    public async Task Revoke_KeysNowANewerRequests_LeavesThemAloneEvenWithTheSameCode()
    {
        var host = StartGateway();
        var store = host.Services.GetRequiredService<ISmsCodeStore>();
        var mobile = TestMobiles.Next();
        var mine = Request(mobile, "111111");
        Assert.True((await store.TryIssueAsync(mine)).IsIssued);

        // A newer request, issued after this one's flag went, drew the same code by chance.
        var db = _redis.Database(2);
        await db.KeyDeleteAsync($"send_flag_{mobile}");
        var newer = Request(mobile, "111111");
        Assert.True((await store.TryIssueAsync(newer)).IsIssued);

        Assert.False(await store.RevokeAsync(mine));
        Assert.Equal("111111", (string?)await db.StringGetAsync($"sms_{mobile}"));
        Assert.True(await db.KeyExistsAsync($"send_flag_{mobile}"));

        Assert.True(await store.RevokeAsync(newer));
        Assert.False(await db.KeyExistsAsync($"send_flag_{mobile}"));
        Assert.False(await db.KeyExistsAsync($"sms_{mobile}"));
        Assert.False(await db.KeyExistsAsync($"sms_state_{mobile}"));
    }

    [Fact]
    public async Task Revoke_FlagAlreadyExpired_StillDeletesItsCode()
    {
        var host = StartGateway();
        var store = host.Services.GetRequiredService<ISmsCodeStore>();
        var mobile = TestMobiles.Next();
        var mine = Request(mobile, "333333");
        Assert.True((await store.TryIssueAsync(mine)).IsIssued);
        var db = _redis.Database(2);
        await db.KeyDeleteAsync($"send_flag_{mobile}");

        Assert.True(await store.RevokeAsync(mine));

        Assert.False(await db.KeyExistsAsync($"sms_{mobile}"));
    }

    private static SmsCodeIssueRequest Request(string mobile, string code) =>
        new(2, $"send_flag_{mobile}", $"sms_{mobile}", $"sms_state_{mobile}", code, IssueNonce.Next(), 60_000, 300_000);
}
