namespace Gateway.Middleware.Policies.Validators;

/// <summary>Checks a policy's <c>Answers</c>: each names an answer the gate writes, with a status, body template and content type it can write.</summary>
internal sealed class PolicyAnswersValidator : ISmsCodePolicyValidator
{
    public void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures)
    {
        foreach (var (name, answer) in policy.Answers)
        {
            var answerKey = $"{key}:{nameof(policy.Answers)}:{name}";
            if (!Enum.TryParse<SmsCodeAnswerKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || char.IsDigit(name[0]))
            {
                failures.Add($"{answerKey} is not an answer the gate writes; it may be {string.Join(", ", Enum.GetNames<SmsCodeAnswerKind>())}.");
                continue;
            }

            if (answer.Status is { } status && status is < 200 or > 599)
            {
                failures.Add($"{answerKey}:{nameof(answer.Status)} must be an HTTP status from 200 to 599 (was {status}).");
            }

            if (answer.Body is { } body && TextTemplate.TryParse(body, SmsCodeAnswerOptions.Placeholders, out var error) is null)
            {
                failures.Add($"{answerKey}:{nameof(answer.Body)} {error}.");
            }

            if (answer.ContentType is { } contentType && !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out _))
            {
                failures.Add($"{answerKey}:{nameof(answer.ContentType)} is not a media type (was '{contentType}').");
            }
        }
    }
}
