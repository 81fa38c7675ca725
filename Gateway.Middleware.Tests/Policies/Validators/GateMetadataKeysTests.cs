using Gateway.Middleware.Policies.Validators;

namespace Gateway.Middleware.Tests.Policies.Validators;

public sealed class GateMetadataKeysTests
{
    [Theory]
    [InlineData("SmsCodePolicy")]
    [InlineData("SmsVerifyPolicy")]
    [InlineData("SmsVerifyEndpoint")]
    [InlineData("SmsMobileFrom")]
    [InlineData("SmsProviderUnmarked")]
    [InlineData("SmsCodeGate.AllowedMethods")]
    [InlineData("Owner")]
    [InlineData("Provider")]
    [InlineData("TransportFailureRateHealthPolicy.RateLimit")]
    public void Mistake_GateKeyOrUnlikeAny_None(string key)
    {
        Assert.Null(GateMetadataKeys.Mistake("Route 'r'", key, GateMetadataKeys.Route));
    }

    [Theory]
    [InlineData("SmsCodePolicyy", "did you mean SmsCodePolicy?")]
    [InlineData("SmsVerfyPolicy", "did you mean SmsVerifyPolicy?")]
    [InlineData("SmCodePolicy", "did you mean SmsCodePolicy?")]
    [InlineData("CodePolicy", "did you mean SmsCodePolicy?")]
    [InlineData("X-VerifyEndpoint", "is not a gate key")]
    [InlineData("smscodepolicy", "spell it SmsCodePolicy, with that case")]
    [InlineData("SMSVERIFYENDPOINT", "spell it SmsVerifyEndpoint, with that case")]
    [InlineData("SmsWhatever", "the gate reads SmsCodePolicy, SmsVerifyPolicy, SmsVerifyEndpoint, SmsMobileFrom, SmsProviderUnmarked here")]
    [InlineData("SmsProvider", "is a cluster key")]
    public void Mistake_RouteKeyLikeTheGates_NamesTheKeyAndTheFix(string key, string expected)
    {
        var mistake = GateMetadataKeys.Mistake("Route 'r'", key, GateMetadataKeys.Route);

        Assert.NotNull(mistake);
        Assert.StartsWith($"Route 'r': Metadata:{key} ", mistake, StringComparison.Ordinal);
        Assert.Contains(expected, mistake, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SmsProvder", "did you mean SmsProvider?")]
    [InlineData("smsprovider", "spell it SmsProvider")]
    [InlineData("SmsCodePolicy", "is a route key")]
    public void Mistake_ClusterKeyLikeTheGates_NamesTheKeyAndTheFix(string key, string expected)
    {
        Assert.Contains(expected, GateMetadataKeys.Mistake("Cluster 'c'", key, GateMetadataKeys.Cluster), StringComparison.Ordinal);
    }
}
