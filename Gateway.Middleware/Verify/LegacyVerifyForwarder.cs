using System.Text;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Middleware.Verify;

/// <summary>
/// Sends a counted verify attempt on to the legacy app and tells whether the app accepted it, as the policy's
/// <c>VerifySuccessWhen</c> means it (any 2xx by default). The app's answer reaches the client unchanged. The attempt
/// gets at most the policy's <c>VerifyTimeout</c> (then 504): the attempt holds the code meanwhile, so the gate must
/// let go before the store's hold lapses.
/// </summary>
internal static class LegacyVerifyForwarder
{
    /// <summary>The answer when the app did not answer within <c>VerifyTimeout</c> (504); the code is let go.</summary>
    public static readonly byte[] TimedOutBody = Encoding.UTF8.GetBytes("{\"message\":\"The verification did not complete in time. Please try again.\"}");

    public static async Task<bool> ForwardAsync(HttpContext context, SmsCodePolicy policy, RequestDelegate next, TimeProvider timeProvider)
    {
        var clientAborted = context.RequestAborted;
        using var timeout = new CancellationTokenSource(policy.VerifyTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, timeout.Token);
        var body = context.Response.Body;
        using var capture = policy.VerifySuccessWhen is { ReadsBody: true } ? new VerifyAnswerCapture(body) : null;

        // YARP cancels its request to the destination with RequestAborted: the timeout ends the attempt at the app.
        context.RequestAborted = linked.Token;
        if (capture is not null)
        {
            context.Response.Body = capture;
        }

        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = clientAborted;
            if (capture is not null)
            {
                context.Response.Body = body;
            }
        }

        if (timeout.IsCancellationRequested && !clientAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // YARP took the cancellation for the client's and answered 400; the client is still there: tell it.
            context.Response.Clear();
            await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status504GatewayTimeout, TimedOutBody);
            return false;
        }

        if (context.GetForwarderErrorFeature() is not null || capture?.Overflowed == true)
        {
            return false;
        }

        var status = context.Response.StatusCode;
        return policy.VerifySuccessWhen is { } success
            ? success.IsSuccess(status, capture is null ? [] : capture.Kept)
            : status is >= 200 and < 300;
    }
}
