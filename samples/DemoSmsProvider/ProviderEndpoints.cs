using Microsoft.Extensions.Options;

namespace DemoSmsProvider;

/// <summary>HTTP surface of the demo SMS provider.</summary>
public static class ProviderEndpoints
{
    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/send/{mobile}", [HttpMethods.Get, HttpMethods.Post], Send);
        app.MapGet("/sent", (SentMessageStore store, string? mobile) => Results.Ok(store.Snapshot(mobile)));
        app.MapDelete("/sent", (SentMessageStore store) =>
        {
            store.Clear();
            return Results.NoContent();
        });
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        return app;
    }

    private static IResult Send(
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
        // This process *is* the (fake) SMS provider: printing the code is its job.
        Console.Out.WriteLine($"[demo-sms] would send to {mobile}: your verification code is {code}");
        return Results.Ok(new { status = "sent" });
    }
}
