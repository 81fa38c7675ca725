using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Tests.Common;

/// <summary>Marks a test that checks what the other tests of its class did: it runs after them (<see cref="RunsLastOrderer"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RunsLastAttribute : Attribute;

/// <summary>xunit's own order for a class's tests, with those marked <see cref="RunsLastAttribute"/> moved to the end.</summary>
public sealed class RunsLastOrderer(IMessageSink diagnostics) : ITestCaseOrderer
{
    public const string TypeName = "Gateway.Tests.Common.RunsLastOrderer";

    public const string AssemblyName = "Gateway.Tests.Common";

    private readonly DefaultTestCaseOrderer _default = new(diagnostics);

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        _default.OrderTestCases(testCases)
            .OrderBy(testCase => testCase.TestMethod.Method.GetCustomAttributes(typeof(RunsLastAttribute)).Any());
}
