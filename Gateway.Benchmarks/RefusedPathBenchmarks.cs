using BenchmarkDotNet.Attributes;

namespace Gateway.Benchmarks;

/// <summary>
/// The refused path end to end in-process: the gate middleware on a gated route, against the in-process store, for
/// a mobile inside its send interval (400 with Retry-After). No forwarding, no network.
/// </summary>
[MemoryDiagnoser]
public class RefusedPathBenchmarks
{
    private GateFixture _gate = null!;

    [GlobalSetup]
    public void Setup()
    {
        _gate = new GateFixture();
        _gate.PrimeAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _gate.Dispose();

    /// <summary>The whole gate for one refused request: route metadata, policy, validation, keys, code, store, 400.</summary>
    [Benchmark]
    public Task GateRefusedInMemory() => _gate.Middleware.InvokeAsync(_gate.Context);
}
