using Microsoft.Extensions.Options;

namespace DemoSmsProvider;

/// <summary>HTTP surface of the demo SMS provider.</summary>
public static class ProviderEndpoints
{
    /// <summary>The default window of <c>GET /stats</c>: the legacy send interval.</summary>
    public const double DefaultRepeatWindowSeconds = 60;

    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/send/{mobile}", [HttpMethods.Get, HttpMethods.Post], Send);
        app.MapGet("/sent", (SentMessageStore store, string? mobile) => Results.Ok(store.Snapshot(mobile)));
        app.MapGet("/stats", Stats);
        app.MapDelete("/sent", (SentMessageStore store) =>
        {
            store.Clear();
            return Results.NoContent();
        });
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        return app;
    }

    private static async Task<IResult> Send(
        string mobile,
        HttpRequest request,
        SentMessageStore store,
        IOptionsMonitor<DemoProviderOptions> options,
        TimeProvider clock)
    {
        var settings = options.CurrentValue;
        if (settings.FailWith != 0)
        {
            return Results.Json(new { message = "simulated provider failure" }, statusCode: settings.FailWith);
        }

        var code = request.Headers[settings.CodeHeader].ToString();
        if (string.IsNullOrWhiteSpace(code))
        {
            return Results.BadRequest(new { message = "missing code header" });
        }

        store.Add(new SentMessage(mobile, code, clock.GetUtcNow()));
        if (!settings.Quiet)
        {
            // This process *is* the (fake) SMS provider: printing the code is its job.
            Console.Out.WriteLine($"[demo-sms] would send to {mobile}: your verification code is {code}");
        }

        if (settings.Delay > TimeSpan.Zero)
        {
            await Task.Delay(settings.Delay, clock);
        }

        return Results.Ok(new { status = "sent" });
    }

    private static IResult Stats(SentMessageStore store, double? within)
    {
        var seconds = within ?? DefaultRepeatWindowSeconds;
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            return Results.BadRequest(new { message = "within must be a number of seconds, 0 or more" });
        }

        return Results.Ok(store.Stats(TimeSpan.FromSeconds(seconds)));
    }
}
