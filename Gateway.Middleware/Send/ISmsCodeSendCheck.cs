using Gateway.Middleware.Requests;


namespace Gateway.Middleware.Send;

/// <summary>
/// A check on a send that runs before the store call, once the policy and the mobile are known: a refusal is answered
/// without touching the store. The send handler runs every registered check in registration order
/// (<c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;ISmsCodeSendCheck, ...&gt;())</c>) and stops at the first refusal.
/// </summary>
internal interface ISmsCodeSendCheck
{
    /// <summary>Null to let the send go on; else the refusal to answer and count.</summary>
    SendRefusal? Check(SmsCodeGateContext gate);
}
