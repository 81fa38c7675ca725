using BenchmarkDotNet.Attributes;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using StackExchange.Redis;

namespace Gateway.Benchmarks;

/// <summary>The steps the gate takes for every request before its one store call.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly SmsCodeGenerator _generator = new();
    private readonly SmsCodeKeyTemplate _sendFlagKey = SmsCodeKeyTemplate.TryParse("send_flag_{mobile}", out _)!;
    private GateFixture _gate = null!;
    private SmsCodeIssueRequest _request;

    // Written so that the arrays escape as they do into StackExchange.Redis (else the JIT may stack-allocate them).
    private RedisKey[] _keys = [];
    private RedisValue[] _values = [];

    [GlobalSetup]
    public void Setup()
    {
        _gate = new GateFixture();
        _request = _gate.IssueRequest("123456");
    }

    [GlobalCleanup]
    public void Cleanup() => _gate.Dispose();

    /// <summary>A 6-digit code from the OS's secure generator.</summary>
    [Benchmark]
    public string GenerateCode() => _generator.Generate(6);

    /// <summary>One key from a parsed template (<c>send_flag_{mobile}</c>).</summary>
    [Benchmark]
    public string BuildKey() => _sendFlagKey.Build(GateFixture.Mobile);

    /// <summary>The policy's compiled pattern against a valid mobile.</summary>
    [Benchmark]
    public bool ValidateMobile() => _gate.Policy.IsValidMobile(GateFixture.Mobile);

    /// <summary>The masked mobile the gate passes to its log calls (computed even when the log level is off).</summary>
    [Benchmark]
    public string MaskMobile() => MobileMask.Mask(GateFixture.Mobile);

    /// <summary>The KEYS and ARGV arrays of the issue script, as RedisSmsCodeStore builds them (caps off).</summary>
    [Benchmark]
    public void PrepareScriptCall() => PrepareScriptCall(_request);

    /// <summary>All of it: validate, two keys, a code, the request, the script's arrays.</summary>
    [Benchmark]
    public void PrepareIssue()
    {
        if (_gate.Policy.IsValidMobile(GateFixture.Mobile))
        {
            PrepareScriptCall(_gate.IssueRequest(_generator.Generate(_gate.Policy.CodeLength)));
        }
    }

    // Mirrors RedisSmsCodeStore.IssueAtomicallyAsync and KeysOf with every cap off: no counter keys or arguments.
    private void PrepareScriptCall(in SmsCodeIssueRequest request)
    {
        _keys = [request.SendFlagKey, request.CodeKey];
        _values = [request.Code, request.SendIntervalMilliseconds, request.CodeLifetimeMilliseconds];
    }
}
