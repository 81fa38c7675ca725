using System.Collections.Concurrent;
using Gateway.Middleware.Policies;

namespace Gateway.Middleware.Send;

/// <summary>
/// The sends with an <c>Idempotency-Key</c> that this instance is still forwarding, by nonce. A repeat that arrives
/// while its first request is in flight here waits for that request's answer and gets the same one, so that it is
/// never told "sent" for a send that then fails and is rolled back.
/// </summary>
internal sealed class SendsInFlight
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SmsCodeAnswerKind>> _sends = new(StringComparer.Ordinal);

    /// <summary>Registers the send named by <paramref name="nonce"/>; dispose the result with its answer.</summary>
    public Registration Start(string nonce)
    {
        var answer = new TaskCompletionSource<SmsCodeAnswerKind>(TaskCreationOptions.RunContinuationsAsynchronously);
        _sends[nonce] = answer;
        return new Registration(this, nonce, answer);
    }

    /// <summary>The answer of the first request, when it is in flight here; else the code stands and it was sent.</summary>
    public Task<SmsCodeAnswerKind> AnswerOfAsync(string? nonce, CancellationToken cancellationToken) =>
        nonce is not null && _sends.TryGetValue(nonce, out var answer)
            ? answer.Task.WaitAsync(cancellationToken)
            : Task.FromResult(SmsCodeAnswerKind.Sent);

    internal sealed class Registration(SendsInFlight owner, string nonce, TaskCompletionSource<SmsCodeAnswerKind> answer)
    {
        public void Complete(SmsCodeAnswerKind kind)
        {
            answer.TrySetResult(kind);
            owner._sends.TryRemove(new KeyValuePair<string, TaskCompletionSource<SmsCodeAnswerKind>>(nonce, answer));
        }
    }
}
