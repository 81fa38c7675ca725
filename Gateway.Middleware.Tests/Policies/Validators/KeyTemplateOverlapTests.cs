using Gateway.Middleware.Policies;
using Gateway.Middleware.Policies.Validators;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Tests.Policies.Validators;

/// <summary>The key-template overlap check, through the options validator that runs it at start-up.</summary>
public sealed class KeyTemplateOverlapTests
{
    private readonly SmsCodeGateOptionsValidator _validator = new();

    [Fact]
    public void Validate_DefaultTemplatesInTwoPoliciesOfOneDatabase_Succeeds()
    {
        var result = Validate(("p1", new SmsCodePolicyOptions()), ("p2", new SmsCodePolicyOptions { MobilePattern = @"\+1\d{10}" }));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_TemplateThatAnotherExtendsWithDigits_FailsNamingBothKeysAndAKey()
    {
        // sms_{mobile} for 15 and sms_1{mobile} for 5 are both sms_15.
        var result = Validate(("p1", new SmsCodePolicyOptions { SendFlagKey = "sms_1{mobile}" }));

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("SmsCodeGate:Policies:p1:", failure, StringComparison.Ordinal);
        Assert.Contains(":SendFlagKey", failure, StringComparison.Ordinal);
        Assert.Contains(":CodeKey", failure, StringComparison.Ordinal);
        Assert.Contains("can name the same key ('sms_1", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoPoliciesOneDatabaseTheSameTemplateForDifferentKeys_Fails()
    {
        var result = Validate(("p1", new SmsCodePolicyOptions()), ("p2", new SmsCodePolicyOptions { CodeKey = "code_{mobile}", HourCounterKey = "sms_{mobile}" }));

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("SmsCodeGate:Policies:p2:HourCounterKey", failure, StringComparison.Ordinal);
        Assert.Contains("SmsCodeGate:Policies:p1:CodeKey", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoPoliciesInDifferentDatabases_Succeeds()
    {
        var result = Validate(("p1", new SmsCodePolicyOptions()), ("p2", new SmsCodePolicyOptions { CodeKey = "code_{mobile}", HourCounterKey = "sms_{mobile}", Database = 3 }));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_MobileTemplateThatAnIpCanComplete_Fails()
    {
        // x5.1.2.3 is the hour counter of the mobile 5 and the IP counter of the client 5.1.2.3.
        var result = Validate(("p1", new SmsCodePolicyOptions { HourCounterKey = "x{mobile}.1.2.3", IpCounterKey = "x{ip}" }));

        var failure = Assert.Single(result.Failures!);
        Assert.Contains(":IpCounterKey and SmsCodeGate:Policies:p1:HourCounterKey", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SpendKeyOfOnePolicyIsAnotherPolicysCodeKey_Fails()
    {
        var result = Validate(("p1", new SmsCodePolicyOptions()), ("12", new SmsCodePolicyOptions { SpendCounterKey = "sms_{policy}", MobilePattern = @"\+\d+" }));

        Assert.Contains(result.Failures!, failure => failure.StartsWith("SmsCodeGate:Policies:12:SpendCounterKey and SmsCodeGate:Policies:p1:CodeKey can name the same key ('sms_12')", StringComparison.Ordinal));
    }

    private ValidateOptionsResult Validate(params (string Name, SmsCodePolicyOptions Policy)[] policies)
    {
        var options = new SmsCodeGateOptions();
        foreach (var (name, policy) in policies)
        {
            options.Policies[name] = policy;
        }

        return _validator.Validate(Options.DefaultName, options);
    }
}
