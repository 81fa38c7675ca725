using Gateway.Middleware.Policies;
using Gateway.Middleware.Policies.Validators;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Tests.Policies.Validators;

public sealed class SmsCodeGateOptionsValidatorTests
{
    private const string PolicyKey = "SmsCodeGate:Policies:p1";

    private readonly SmsCodeGateOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validate(new SmsCodePolicyOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_NoPolicies_Succeeds()
    {
        var result = _validator.Validate(Options.DefaultName, new SmsCodeGateOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    public void Validate_CodeLengthAtBound_Succeeds(int length)
    {
        var result = Validate(new SmsCodePolicyOptions { CodeLength = length });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    public void Validate_SendIntervalNotPositive_FailsNamingKey(int milliseconds)
    {
        var result = Validate(new SmsCodePolicyOptions { SendInterval = TimeSpan.FromMilliseconds(milliseconds) });

        AssertSingleFailure(result, $"{PolicyKey}:SendInterval must be positive");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    public void Validate_CodeLifetimeNotPositive_FailsNamingKey(int milliseconds)
    {
        var result = Validate(new SmsCodePolicyOptions { CodeLifetime = TimeSpan.FromMilliseconds(milliseconds) });

        AssertSingleFailure(result, $"{PolicyKey}:CodeLifetime must be positive");
    }

    [Fact]
    public void Validate_VerifyTimeoutNotPositive_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { VerifyTimeout = TimeSpan.Zero });

        AssertSingleFailure(result, $"{PolicyKey}:VerifyTimeout must be positive");
    }

    [Theory]
    [InlineData(400, "ok", "true", "VerifySuccessWhen:Status must be a 2xx status")]
    [InlineData(null, null, null, "VerifySuccessWhen needs a Status, or a Property")]
    [InlineData(200, "ok", null, "VerifySuccessWhen needs a Property (a dotted JSON path) and a Value together")]
    [InlineData(200, null, "true", "VerifySuccessWhen needs a Property (a dotted JSON path) and a Value together")]
    [InlineData(200, "a..b", "true", "VerifySuccessWhen needs a Property (a dotted JSON path) and a Value together")]
    public void Validate_VerifySuccessWhenIncomplete_FailsNamingKey(int? status, string? property, string? value, string failure)
    {
        var result = Validate(new SmsCodePolicyOptions { VerifySuccessWhen = new SmsCodeProviderSuccessOptions { Status = status, Property = property, Value = value } });

        AssertSingleFailure(result, $"{PolicyKey}:{failure}");
    }

    [Theory]
    [InlineData(200, null, null)]
    [InlineData(null, "result.ok", "true")]
    [InlineData(201, "ok", "true")]
    public void Validate_VerifySuccessWhenComplete_Succeeds(int? status, string? property, string? value)
    {
        var result = Validate(new SmsCodePolicyOptions { VerifySuccessWhen = new SmsCodeProviderSuccessOptions { Status = status, Property = property, Value = value } });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_MobilePatternInvalid_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { MobilePattern = "[unclosed" });

        AssertSingleFailure(result, $"{PolicyKey}:MobilePattern is not a valid regular expression");
    }

    [Fact]
    public void Validate_MobilePatternEmpty_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { MobilePattern = "" });

        AssertSingleFailure(result, $"{PolicyKey}:MobilePattern must not be empty");
    }

    [Fact]
    public void Validate_SendFlagKeyWithoutPlaceholder_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { SendFlagKey = "send_flag" });

        var failure = AssertSingleFailure(result, $"{PolicyKey}:SendFlagKey must contain the placeholder {{mobile}} exactly once");
        Assert.Contains("(was 'send_flag')", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CodeKeyWithUnpairedBrace_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { CodeKey = "sms_{mobile}}" });

        AssertSingleFailure(result, $"{PolicyKey}:CodeKey has an unpaired '}}'");
    }

    [Fact]
    public void Validate_CodeKeyEqualsSendFlagKey_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { SendFlagKey = "k_{mobile}", CodeKey = "k_{mobile}" });

        AssertSingleFailure(result, $"{PolicyKey}:CodeKey must differ from SendFlagKey");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    public void Validate_CodeLengthOutOfRange_FailsNamingKey(int length)
    {
        var result = Validate(new SmsCodePolicyOptions { CodeLength = length });

        var failure = AssertSingleFailure(result, $"{PolicyKey}:CodeLength must be between 4 and 10");
        Assert.Contains($"(was {length})", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DatabaseNegative_FailsNamingKey()
    {
        var result = Validate(new SmsCodePolicyOptions { Database = -1 });

        AssertSingleFailure(result, $"{PolicyKey}:Database must not be negative");
    }

    [Theory]
    [InlineData("bad header")]
    [InlineData("X-Sms:Code")]
    [InlineData("")]
    [InlineData(" ")]
    public void Validate_CodeHeaderNotToken_FailsNamingKey(string header)
    {
        var result = Validate(new SmsCodePolicyOptions { CodeHeader = header });

        AssertSingleFailure(result, $"{PolicyKey}:CodeHeader must be a valid HTTP header name");
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("connection")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Content-Length")]
    [InlineData("TE")]
    [InlineData("Proxy-Connection")]
    public void Validate_CodeHeaderHopByHopOrFraming_FailsNamingKey(string header)
    {
        var result = Validate(new SmsCodePolicyOptions { CodeHeader = header });

        AssertSingleFailure(result, $"{PolicyKey}:CodeHeader '{header}' is a header the proxy itself sets or drops");
    }

    [Fact]
    public void Validate_StoreTimeoutZero_FailsNamingKey()
    {
        var options = new SmsCodeGateOptions { StoreTimeout = TimeSpan.Zero };

        var result = _validator.Validate(Options.DefaultName, options);

        AssertSingleFailure(result, "SmsCodeGate:StoreTimeout must be positive");
    }

    [Fact]
    public void Validate_StoreBreakDurationNegative_FailsNamingKey()
    {
        var options = new SmsCodeGateOptions { StoreBreakDuration = TimeSpan.FromSeconds(-1) };

        var result = _validator.Validate(Options.DefaultName, options);

        AssertSingleFailure(result, "SmsCodeGate:StoreBreakDuration must be positive");
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEach()
    {
        var options = new SmsCodeGateOptions { StoreTimeout = TimeSpan.Zero };
        options.Policies["p1"] = new SmsCodePolicyOptions { SendInterval = TimeSpan.Zero, CodeLength = 3 };
        options.Policies["p2"] = new SmsCodePolicyOptions { Database = -1, CodeHeader = "bad header" };

        var result = _validator.Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(5, failures.Count);
        AssertHasFailure(failures, "SmsCodeGate:StoreTimeout ");
        AssertHasFailure(failures, "SmsCodeGate:Policies:p1:SendInterval ");
        AssertHasFailure(failures, "SmsCodeGate:Policies:p1:CodeLength ");
        AssertHasFailure(failures, "SmsCodeGate:Policies:p2:Database ");
        AssertHasFailure(failures, "SmsCodeGate:Policies:p2:CodeHeader ");
    }

    private ValidateOptionsResult Validate(SmsCodePolicyOptions policy)
    {
        var options = new SmsCodeGateOptions();
        options.Policies["p1"] = policy;
        return _validator.Validate(Options.DefaultName, options);
    }

    private static string AssertSingleFailure(ValidateOptionsResult result, string expectedStart)
    {
        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(expectedStart, failure, StringComparison.Ordinal);
        return failure;
    }

    private static void AssertHasFailure(IEnumerable<string> failures, string expectedStart) =>
        Assert.Contains(failures, f => f.StartsWith(expectedStart, StringComparison.Ordinal));
}
