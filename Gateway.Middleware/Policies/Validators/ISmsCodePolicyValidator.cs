namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Checks one concern of a policy's options: its mobile, its limits, its keys, its answers, its provider request.
/// <see cref="SmsCodeGateOptionsValidator"/> runs each for every policy, as YARP's <c>ConfigValidator</c> runs its route
/// validators; a room of the request path adds its own by registering one.
/// </summary>
internal interface ISmsCodePolicyValidator
{
    /// <summary>
    /// Adds to <paramref name="failures"/> what is wrong with <paramref name="policy"/>, each failure one line that
    /// starts with the configuration key it is about, under <paramref name="key"/> (<c>SmsCodeGate:Policies:&lt;name&gt;</c>).
    /// </summary>
    void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures);
}
