using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Requests;

/// <summary>
/// The one answer to a store that failed, for sending and verifying alike: recorded as the request's outcome with its error
/// type, logged at most once per policy per interval, answered 503 in the policy's words.
/// </summary>
internal sealed partial class StoreUnavailableAnswer
{
    private readonly LogThrottle _throttle;
    private readonly StoreOutageLog _outageLog;
    private readonly ILogger<StoreUnavailableAnswer> _logger;

    public StoreUnavailableAnswer(LogThrottle throttle, StoreOutageLog outageLog, ILogger<StoreUnavailableAnswer> logger)
    {
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(outageLog);
        ArgumentNullException.ThrowIfNull(logger);
        _throttle = throttle;
        _outageLog = outageLog;
        _logger = logger;
    }

    public Task WriteAsync(SmsCodeGateContext gate, SmsCodeStoreUnavailableException failure)
    {
        var policy = gate.Policy;
        gate.Complete(SmsCodeGateResults.StoreUnavailable, failure.ErrorType);
        if (_throttle.ShouldLog(EventIds.StoreUnavailable, policy.Name, out var suppressed))
        {
            Log.StoreUnavailable(_logger, policy.Name, failure.Message, suppressed);
        }

        _outageLog.FailureLogged();

        return policy.Answers[SmsCodeAnswerKind.StoreUnavailable].WriteAsync(gate.HttpContext.Response);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StoreUnavailable, LogLevel.Warning, "SMS code store unavailable: policy {Policy}: {StoreFailure} {Suppressed} more since the last such line.", EventName = nameof(EventIds.StoreUnavailable))]
        public static partial void StoreUnavailable(ILogger logger, string policy, string storeFailure, long suppressed);
    }
}
