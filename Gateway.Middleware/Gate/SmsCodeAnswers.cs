using Gateway.Middleware.Configuration;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Gate;

/// <summary>A policy's answers, one per <see cref="SmsCodeAnswerKind"/>: the defaults with the policy's <c>Answers</c> on top.</summary>
internal sealed class SmsCodeAnswers
{
    private static readonly SmsCodeAnswer[] Defaults =
    [
        SmsCodeAnswer.Default(StatusCodes.Status200OK, "ok"),
        SmsCodeAnswer.Default(StatusCodes.Status400BadRequest, "手机频繁发送短信"),
        SmsCodeAnswer.Default(StatusCodes.Status404NotFound, "Not found: the mobile number is not valid."),
        SmsCodeAnswer.Default(StatusCodes.Status503ServiceUnavailable, "The SMS code service is temporarily unavailable. Please try again shortly."),
        SmsCodeAnswer.Default(StatusCodes.Status502BadGateway, "The SMS provider failed; no code was sent. Please try again."),
        SmsCodeAnswer.Default(StatusCodes.Status504GatewayTimeout, "The SMS provider did not answer in time; the code may still arrive. Please wait before asking again."),
        SmsCodeAnswer.Default(StatusCodes.Status429TooManyRequests, "Too many requests from this client. Please try again later."),
        SmsCodeAnswer.Default(StatusCodes.Status503ServiceUnavailable, "SMS sending is paused for a moment. Please try again shortly."),
        SmsCodeAnswer.Default(StatusCodes.Status200OK, "ok"),
        SmsCodeAnswer.Default(StatusCodes.Status400BadRequest, "The code is wrong or has expired."),
        SmsCodeAnswer.Default(StatusCodes.Status429TooManyRequests, "Too many attempts: ask for a new code."),
        SmsCodeAnswer.Default(StatusCodes.Status429TooManyRequests, "Too many failed attempts for this mobile today. Please try again later."),
        SmsCodeAnswer.Default(StatusCodes.Status400BadRequest, "验证码已过期"),
        SmsCodeAnswer.Default(StatusCodes.Status429TooManyRequests, "Another attempt at this code is being checked. Please try again in a moment."),
        SmsCodeAnswer.Default(StatusCodes.Status403Forbidden, "Forbidden: codes are not sent to this number."),
        SmsCodeAnswer.Default(StatusCodes.Status403Forbidden, "Forbidden: codes to this range of numbers are paused. Please try again later."),
    ];

    private readonly SmsCodeAnswer[] _answers;

    public SmsCodeAnswers(IDictionary<string, SmsCodeAnswerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _answers = (SmsCodeAnswer[])Defaults.Clone();
        foreach (var (name, answer) in options)
        {
            var kind = Enum.Parse<SmsCodeAnswerKind>(name, ignoreCase: true);
            _answers[(int)kind] = SmsCodeAnswer.From(Defaults[(int)kind], answer);
        }
    }

    /// <summary>The answers no policy rewords, for refusals that come before a policy is known.</summary>
    public static SmsCodeAnswers Default { get; } = new(new Dictionary<string, SmsCodeAnswerOptions>());

    public SmsCodeAnswer this[SmsCodeAnswerKind kind] => _answers[(int)kind];
}
