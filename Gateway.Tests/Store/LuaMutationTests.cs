using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Gate;
using Gateway.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Tests.Store;

/// <summary>
/// Hand mutations of the Lua scripts, which Stryker cannot reach. Each row makes one realistic one-line bug in a copy
/// of a script (a find and replace), has the gateway's Redis store send that copy instead of the script, and runs a
/// test of the contract suites (or of <see cref="RedisStoreTests"/>) against it: that test must fail on an assertion.
/// As a control, the same test passes when the store is sent the real script through the same substitution. The
/// snippet must occur exactly once in the script, so that a later edit of the script fails this row instead of
/// turning it into a mutation that changes nothing.
/// </summary>
public sealed class LuaMutationTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    [Theory]
    [InlineData(nameof(RedisScripts.Issue), "'0') >= cap", "'0') > cap", nameof(SmsCodeGateContractTests.Get_CapReachedWhileTheFlagIsLive_RefusedForTheCapsLongerWaitUnderItsResult))]
    [InlineData(nameof(RedisScripts.Issue), "redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])", "redis.call('PTTL', KEYS[1])", nameof(SmsCodeGateContractTests.Get_FlagPresent_Returns400LegacyBodyWithRetryAfterAndForwardsNothing))]
    [InlineData(nameof(RedisScripts.Issue), "if flag ~= -2 then", "if flag > 0 then", nameof(RedisStoreTests.Issue_LegacyFlagWithoutExpiry_IsRespected))]
    [InlineData(nameof(RedisScripts.Issue), "'1', 'PX', ARGV[2]", "'1', 'PX', ARGV[3]", nameof(SmsCodeGateContractTests.Get_ValidMobile_Returns200LegacyBodyAndForwardsStoredCode))]
    [InlineData(nameof(RedisScripts.Issue), "ARGV[1], 'PX', ARGV[3]", "ARGV[1], 'PX', ARGV[2]", nameof(RedisStoreTests.Issue_DefaultPolicy_WritesLegacyKeysWithLegacyTtlsInDatabase2))]
    [InlineData(nameof(RedisScripts.Issue), "{3600000, 86400000,", "{3600000, 3600000,", nameof(SmsCodeGateContractTests.Get_MobileCapReached_NthPassesAndNextIsRefusedWithLegacyBodyUntilTheWindowFrees))]
    [InlineData(nameof(RedisScripts.Issue), "if count == 1 then redis.call('DEL', key) else redis.call('DECR', key) end", "redis.call('PTTL', key)", nameof(SmsCodeGateContractTests.Get_MobileCapReached_NthPassesAndNextIsRefusedWithLegacyBodyUntilTheWindowFrees))]
    [InlineData(nameof(RedisScripts.Revoke), "if redis.call('HGET', KEYS[3], 'nonce') ~= ARGV[1] then return 0 end", "", nameof(RedisStoreTests.Revoke_KeysNowANewerRequests_LeavesThemAloneEvenWithTheSameCode))]
    [InlineData(nameof(RedisScripts.Revoke), "for i = 0, 3 do", "for i = 1, 3 do", nameof(SmsCodeGateContractTests.Get_ProviderFails_RollsEveryCountBackWithTheFlag))]
    [InlineData(nameof(RedisScripts.Verify), "attempts > max", "attempts >= max", nameof(SmsCodeVerifyContractTests.VerifyEndpoint_AttemptsSpent_429WithRetryAfterAndTheRightCodeNoLongerWorks))]
    [InlineData(nameof(RedisScripts.Verify), "redis.call('DEL', KEYS[1], KEYS[2])", "redis.call('PTTL', KEYS[1])", nameof(SmsCodeVerifyContractTests.VerifyEndpoint_RightCode_200ThenTheCodeIsUsedUp))]
    [InlineData(nameof(RedisScripts.Verify), "or '0') >= failureCap then", "or '0') > failureCap then", nameof(SmsCodeVerifyContractTests.VerifyEndpoint_ResendStartsAFreshCountButTheDailyFailuresHold))]
    [InlineData(nameof(RedisScripts.CountAttempt), "attempts > maxAttempts then", "attempts > maxAttempts + 1 then", nameof(SmsCodeVerifyContractTests.VerifyRoute_ConcurrentWrongGuesses_ExactlyMaxAttemptsReachTheAppAndTheRightCodeThenFails))]
    [InlineData(nameof(RedisScripts.CountAttempt), "return busy > now and busy - now or 0", "return busy > now + 600000 and busy - now or 0", nameof(SmsCodeVerifyGuardContractTests.VerifyRoute_AttemptAtTheApp_OthersGet429RetryAfter1UntilTheAppRefusesIt))]
    [InlineData(nameof(RedisScripts.UseUp), "redis.call('DEL', KEYS[1], KEYS[2])", "redis.call('PTTL', KEYS[1])", nameof(SmsCodeVerifyContractTests.VerifyRoute_AppAccepts_TheCodeIsUsedUpAndTheAnswerPassesThrough))]
    public async Task Check_CopyWithOneBug_FailsWhereTheRealScriptPasses(string script, string find, string replace, string check)
    {
        var source = ScriptNamed(script).Source;
        Assert.True(Occurrences(source, find) == 1, $"'{find}' occurs {Occurrences(source, find)} times in the {script} script, not once.");
        var copy = source.Replace(find, replace, StringComparison.Ordinal);
        await redis.Server.Server.ScriptLoadAsync(copy); // the bug is in what the script does, not a syntax error

        var real = new RedisScriptSubstitution(source, source);
        await RunAsync(check, real);
        Assert.True(real.Uses > 0, $"{check} never ran the {script} script.");

        var broken = new RedisScriptSubstitution(source, copy);
        var failure = await Record.ExceptionAsync(() => RunAsync(check, broken));
        Assert.True(broken.Uses > 0, $"{check} never ran the {script} script.");
        Assert.IsAssignableFrom<XunitException>(failure);
        output.WriteLine($"{check} failed on the copy: {failure.Message}");
    }

    private static RedisScript ScriptNamed(string name) => name switch
    {
        nameof(RedisScripts.Issue) => RedisScripts.Embedded.Issue,
        nameof(RedisScripts.Revoke) => RedisScripts.Embedded.Revoke,
        nameof(RedisScripts.Verify) => RedisScripts.Embedded.Verify,
        nameof(RedisScripts.CountAttempt) => RedisScripts.Embedded.CountAttempt,
        nameof(RedisScripts.UseUp) => RedisScripts.Embedded.UseUp,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such script."),
    };

    private static int Occurrences(string text, string snippet)
    {
        var count = 0;
        for (var at = text.IndexOf(snippet, StringComparison.Ordinal); at >= 0; at = text.IndexOf(snippet, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Runs one test of a suite as xunit would: a fresh instance, its set-up, the test, its tear-down.</summary>
    private Task RunAsync(string check, RedisScriptSubstitution scripts)
    {
        var store = new RedisContractStore(redis, scripts);
        return check switch
        {
            nameof(SmsCodeGateContractTests.Get_CapReachedWhileTheFlagIsLive_RefusedForTheCapsLongerWaitUnderItsResult) =>
                RunAsync(new GateSuite(store), s => s.Get_CapReachedWhileTheFlagIsLive_RefusedForTheCapsLongerWaitUnderItsResult("MaxPerHour", SmsCodeGateResults.RefusedHour, 3600)),
            nameof(SmsCodeGateContractTests.Get_FlagPresent_Returns400LegacyBodyWithRetryAfterAndForwardsNothing) =>
                RunAsync(new GateSuite(store), s => s.Get_FlagPresent_Returns400LegacyBodyWithRetryAfterAndForwardsNothing()),
            nameof(SmsCodeGateContractTests.Get_ValidMobile_Returns200LegacyBodyAndForwardsStoredCode) =>
                RunAsync(new GateSuite(store), s => s.Get_ValidMobile_Returns200LegacyBodyAndForwardsStoredCode()),
            nameof(SmsCodeGateContractTests.Get_MobileCapReached_NthPassesAndNextIsRefusedWithLegacyBodyUntilTheWindowFrees) =>
                RunAsync(new GateSuite(store), s => s.Get_MobileCapReached_NthPassesAndNextIsRefusedWithLegacyBodyUntilTheWindowFrees("MaxPerDay", 2, "sms_day_{0}", 86400)),
            nameof(SmsCodeGateContractTests.Get_ProviderFails_RollsEveryCountBackWithTheFlag) =>
                RunAsync(new GateSuite(store), s => s.Get_ProviderFails_RollsEveryCountBackWithTheFlag()),
            nameof(SmsCodeVerifyContractTests.VerifyEndpoint_AttemptsSpent_429WithRetryAfterAndTheRightCodeNoLongerWorks) =>
                RunAsync(new VerifySuite(store), s => s.VerifyEndpoint_AttemptsSpent_429WithRetryAfterAndTheRightCodeNoLongerWorks()),
            nameof(SmsCodeVerifyContractTests.VerifyEndpoint_RightCode_200ThenTheCodeIsUsedUp) =>
                RunAsync(new VerifySuite(store), s => s.VerifyEndpoint_RightCode_200ThenTheCodeIsUsedUp()),
            nameof(SmsCodeVerifyContractTests.VerifyEndpoint_ResendStartsAFreshCountButTheDailyFailuresHold) =>
                RunAsync(new VerifySuite(store), s => s.VerifyEndpoint_ResendStartsAFreshCountButTheDailyFailuresHold()),
            nameof(SmsCodeVerifyContractTests.VerifyRoute_ConcurrentWrongGuesses_ExactlyMaxAttemptsReachTheAppAndTheRightCodeThenFails) =>
                RunAsync(new VerifySuite(store), s => s.VerifyRoute_ConcurrentWrongGuesses_ExactlyMaxAttemptsReachTheAppAndTheRightCodeThenFails()),
            nameof(SmsCodeVerifyContractTests.VerifyRoute_AppAccepts_TheCodeIsUsedUpAndTheAnswerPassesThrough) =>
                RunAsync(new VerifySuite(store), s => s.VerifyRoute_AppAccepts_TheCodeIsUsedUpAndTheAnswerPassesThrough()),
            nameof(SmsCodeVerifyGuardContractTests.VerifyRoute_AttemptAtTheApp_OthersGet429RetryAfter1UntilTheAppRefusesIt) =>
                RunAsync(new VerifyGuardSuite(store), s => s.VerifyRoute_AttemptAtTheApp_OthersGet429RetryAfter1UntilTheAppRefusesIt()),
            nameof(RedisStoreTests.Issue_LegacyFlagWithoutExpiry_IsRespected) =>
                RunAsync(new RedisStoreTests(scripts), s => s.Issue_LegacyFlagWithoutExpiry_IsRespected()),
            nameof(RedisStoreTests.Issue_DefaultPolicy_WritesLegacyKeysWithLegacyTtlsInDatabase2) =>
                RunAsync(new RedisStoreTests(scripts), s => s.Issue_DefaultPolicy_WritesLegacyKeysWithLegacyTtlsInDatabase2()),
            nameof(RedisStoreTests.Revoke_KeysNowANewerRequests_LeavesThemAloneEvenWithTheSameCode) =>
                RunAsync(new RedisStoreTests(scripts), s => s.Revoke_KeysNowANewerRequests_LeavesThemAloneEvenWithTheSameCode()),
            _ => throw new ArgumentOutOfRangeException(nameof(check), check, "No such check here."),
        };
    }

    private static async Task RunAsync<TSuite>(TSuite suite, Func<TSuite, Task> test)
        where TSuite : IAsyncLifetime
    {
        await suite.InitializeAsync();
        try
        {
            await test(suite);
        }
        finally
        {
            await suite.DisposeAsync();
        }
    }

    // Not public, so that xunit does not run their tests a second time as classes of their own.
    private sealed class GateSuite(ContractStore store) : SmsCodeGateContractTests(store);

    private sealed class VerifySuite(ContractStore store) : SmsCodeVerifyContractTests(store);

    private sealed class VerifyGuardSuite(ContractStore store) : SmsCodeVerifyGuardContractTests(store);
}
