using BenchmarkDotNet.Running;

// dotnet run -c Release --project Gateway.Benchmarks -- --filter '*' -j short   (see bench/micro.sh)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The benchmarks' entry point.</summary>
public partial class Program;
