namespace Gateway.Middleware.Configuration;

/// <summary>What a pumping-defence rule does with a request it would refuse.</summary>
public enum SmsCodeRuleMode
{
    /// <summary>Refuse it (the default).</summary>
    Enforce,

    /// <summary>
    /// Let it pass, and count, meter and log (throttled) what the rule would have refused: how an operator sees what a
    /// rule would do to real traffic before turning it on.
    /// </summary>
    Shadow,
}
