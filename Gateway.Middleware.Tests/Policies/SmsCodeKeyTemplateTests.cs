using Gateway.Middleware.Policies;

namespace Gateway.Middleware.Tests.Policies;

public sealed class SmsCodeKeyTemplateTests
{
    private const string Mobile = "13800138000";

    [Theory]
    [InlineData("send_flag_{mobile}", "send_flag_13800138000")]
    [InlineData("sms_{mobile}", "sms_13800138000")]
    [InlineData("{mobile}", "13800138000")]
    [InlineData("{mobile}_flag", "13800138000_flag")]
    [InlineData("sms_{{{mobile}}}", "sms_{13800138000}")]
    [InlineData("{{x}}_{mobile}", "{x}_13800138000")]
    [InlineData("a{{b_{mobile}_c}}d", "a{b_13800138000_c}d")]
    public void TryParse_ValidTemplate_BuildsKey(string template, string expected)
    {
        var parsed = SmsCodeKeyTemplate.TryParse(template, out var error);

        Assert.NotNull(parsed);
        Assert.Null(error);
        Assert.Equal(template, parsed.Template);
        Assert.Equal(expected, parsed.Build(Mobile));
    }

    [Fact]
    public void TryParse_DefaultTemplates_BuildLegacyKeys()
    {
        var options = new SmsCodePolicyOptions();

        var sendFlag = SmsCodeKeyTemplate.TryParse(options.SendFlagKey, out _);
        var code = SmsCodeKeyTemplate.TryParse(options.CodeKey, out _);

        Assert.NotNull(sendFlag);
        Assert.NotNull(code);
        Assert.Equal("send_flag_13800138000", sendFlag.Build(Mobile));
        Assert.Equal("sms_13800138000", code.Build(Mobile));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void TryParse_Empty_FailsWithNotEmpty(string? template)
    {
        var parsed = SmsCodeKeyTemplate.TryParse(template, out var error);

        Assert.Null(parsed);
        Assert.Equal("must not be empty", error);
    }

    [Theory]
    [InlineData("send_flag")]
    [InlineData("{{mobile}}")]
    [InlineData("{mobile}_{mobile}")]
    [InlineData("sms_{mobile}{mobile}")]
    public void TryParse_PlaceholderMissingOrRepeated_FailsWithExactlyOnce(string template)
    {
        var parsed = SmsCodeKeyTemplate.TryParse(template, out var error);

        Assert.Null(parsed);
        Assert.NotNull(error);
        Assert.Contains("{mobile}", error, StringComparison.Ordinal);
        Assert.Contains("exactly once", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sms_{mobile}_{", '{', 13)]
    [InlineData("{mobile", '{', 0)]
    [InlineData("sms_{x}_{mobile}", '{', 4)]
    [InlineData("sms_}{mobile}", '}', 4)]
    [InlineData("sms_{mobile}}", '}', 12)]
    public void TryParse_UnpairedBrace_FailsNamingBraceAndPosition(string template, char brace, int position)
    {
        var parsed = SmsCodeKeyTemplate.TryParse(template, out var error);

        Assert.Null(parsed);
        Assert.NotNull(error);
        Assert.Contains($"unpaired '{brace}' at position {position}", error, StringComparison.Ordinal);
    }
}
