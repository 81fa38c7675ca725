using BenchmarkDotNet.Attributes;
using Gateway.Middleware.Store;
using StackExchange.Redis;

namespace Gateway.Benchmarks;

/// <summary>
/// The refused path against a real redis-server (address in <c>BENCH_REDIS</c>, e.g. <c>127.0.0.1:6390</c>;
/// bench/micro.sh starts one). The first benchmark is StackExchange.Redis alone sending the same script with
/// ready-made arguments: the others allocate that much plus what the gate itself adds.
/// </summary>
[MemoryDiagnoser]
public class RedisRefusedPathBenchmarks
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(1);

    private GateFixture _gate = null!;
    private IDatabase _database = null!;
    private RedisKey[] _keys = [];
    private RedisValue[] _values = [];

    [GlobalSetup]
    public void Setup()
    {
        var redis = Environment.GetEnvironmentVariable("BENCH_REDIS");
        if (string.IsNullOrWhiteSpace(redis))
        {
            throw new InvalidOperationException("Set BENCH_REDIS to a redis-server's host:port (bench/micro.sh does).");
        }

        _gate = new GateFixture(redis);
        _gate.PrimeAsync().GetAwaiter().GetResult();
        _database = _gate.Redis.GetDatabase(_gate.Policy.Database);
        var request = _gate.IssueRequest("123456");
        // What the store sends with every cap and the audit off: flag, code and state; code, interval, lifetime, nonce, no features.
        _keys = [request.SendFlagKey, request.CodeKey, request.CodeStateKey];
        _values = [request.Code, request.SendIntervalMilliseconds, request.CodeLifetimeMilliseconds, request.Nonce, (int)IssueFeatures.None];
    }

    [GlobalCleanup]
    public void Cleanup() => _gate.Dispose();

    /// <summary>StackExchange.Redis alone: the issue script by its SHA1 (EVALSHA), arguments ready, the refusal read back.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> StackExchangeRedisOnly()
    {
        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(RedisScripts.Embedded.Issue.Hash, _keys, _values))!;
        return (int)result[0];
    }

    /// <summary>
    /// StackExchange.Redis given the script's source, which it maps to its SHA1 on every call (what the store did
    /// before it sent by hash).
    /// </summary>
    [Benchmark]
    public async Task<int> StackExchangeRedisBySource()
    {
        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(RedisScripts.Embedded.Issue.Source, _keys, _values))!;
        return (int)result[0];
    }

    /// <summary>
    /// StackExchange.Redis as above, bounded the way the store bounds every call (<c>Task.WaitAsync</c> with the
    /// store timeout): what the timeout alone costs.
    /// </summary>
    [Benchmark]
    public async Task<int> StackExchangeRedisWithWaitAsync()
    {
        var call = _database.ScriptEvaluateAsync(RedisScripts.Embedded.Issue.Hash, _keys, _values);
        var result = (RedisResult[])(await call.WaitAsync(StoreTimeout, TimeProvider.System))!;
        return (int)result[0];
    }

    /// <summary>The store: builds its keys, code and arrays, calls the script under the store timeout, reads the refusal.</summary>
    [Benchmark]
    public async Task<int> StoreRefused()
    {
        var result = await _gate.Store.TryIssueAsync(_gate.IssueRequest(Codes.Next()));
        return (int)result.Refusal;
    }

    /// <summary>The whole gate middleware for one refused request, Redis store.</summary>
    [Benchmark]
    public Task GateRefusedRedis() => _gate.Middleware.InvokeAsync(_gate.Context);

    /// <summary>A fresh 6-digit code per call, like the gate's, without counting the generator twice in StoreRefused.</summary>
    private static class Codes
    {
        private static readonly Gateway.Middleware.Codes.SmsCodeGenerator Generator = new();

        public static string Next() => Generator.Generate(6);
    }
}
