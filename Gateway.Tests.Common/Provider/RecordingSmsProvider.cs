using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Common.Provider;

/// <summary>
/// A real HTTP SMS provider on a loopback port (Kestrel) that records every request. Its answer can be set per
/// test: a status code, when it comes (<see cref="AnswerWhen"/>), and an echo of the code in its body and headers (as a
/// careless provider might).
/// </summary>
public sealed class RecordingSmsProvider : IAsyncDisposable
{
    public const string CodeHeader = "X-Sms-Code";
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();

    private RecordingSmsProvider(WebApplication app)
    {
        _app = app;
    }

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<ProviderRequest> Requests { get; } = new();

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    /// <summary>
    /// When set, each send is recorded and then not answered until this completes: a provider busy with the send for
    /// exactly as long as the test needs, instead of for a guessed time (the gateway waits on it for 100 s unless
    /// the functional tests' <c>GatewayConfig.WithProviderTimeout</c> says otherwise). Never completed, it never answers, and the
    /// gateway's timeout (or its client's abort) ends the request. Disposing the provider lets go of held requests.
    /// </summary>
    public TaskCompletionSource? AnswerWhen { get; set; }

    /// <summary>Completed when a send has been recorded while <see cref="AnswerWhen"/> holds it.</summary>
    public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool EchoCode { get; set; }

    public string Body { get; set; } = "{\"status\":\"sent\"}";

    /// <summary>
    /// When set, answers 200 with its headers and part of the body, then waits for this to complete (the test sets it
    /// once the client has the headers) and breaks the connection in the middle of the body.
    /// </summary>
    public TaskCompletionSource? AbortMidBodyWhen { get; set; }

    /// <summary>The status of the answer to any other path (the stand-in legacy app's verify view: 200 accepts, 400 refuses).</summary>
    public int OtherStatusCode { get; set; } = StatusCodes.Status200OK;

    /// <summary>The body of the answer to any other path.</summary>
    public string OtherBody { get; set; } = "{\"app\":\"legacy\"}";

    /// <summary>Every request to any other path: what a legacy app behind the catch-all route would receive.</summary>
    public ConcurrentQueue<ProviderRequest> OtherRequests { get; } = new();

    /// <summary>
    /// When set, each request to any other path is recorded, <see cref="OtherReceived"/> is completed, and the answer
    /// waits for this to complete: a legacy app busy with an attempt for exactly as long as the test needs.
    /// </summary>
    public TaskCompletionSource? OtherAnswerWhen { get; set; }

    /// <summary>Completed when a request to any other path has been recorded while <see cref="OtherAnswerWhen"/> holds it.</summary>
    public TaskCompletionSource OtherReceived { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<ProviderRequest> RequestsFor(string mobile) => Requests.Where(r => r.Mobile == mobile).ToList();

    public static async Task<RecordingSmsProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var provider = new RecordingSmsProvider(app);
        app.Map("/send/{mobile}", provider.HandleAsync);
        app.Map("{**path}", provider.RecordOtherAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        provider.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static async Task<ProviderRequest> RecordAsync(HttpContext context, string mobile)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        return new ProviderRequest(
            context.Request.Method,
            context.Request.Path.Value!,
            mobile,
            context.Request.Headers[CodeHeader].Select(v => v ?? "").ToList(),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            context.Request.QueryString.Value ?? "",
            (int)body.Length,
            System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    private async Task RecordOtherAsync(HttpContext context)
    {
        OtherRequests.Enqueue(await RecordAsync(context, ""));
        if (OtherAnswerWhen is { } answer)
        {
            OtherReceived.TrySetResult();
            using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await answer.Task.WaitAsync(held.Token);
            }
            catch (OperationCanceledException)
            {
                return; // the gateway gave up on the attempt, or the app is stopping
            }
        }

        context.Response.StatusCode = OtherStatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(OtherBody);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var recorded = await RecordAsync(context, (string)context.Request.RouteValues["mobile"]!);
        var codes = recorded.CodeHeaderValues;
        Requests.Enqueue(recorded);

        if (AnswerWhen is { } answer)
        {
            Received.TrySetResult();
            using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await answer.Task.WaitAsync(held.Token);
            }
            catch (OperationCanceledException)
            {
                return; // the gateway gave up on the send, or the provider is stopping
            }
        }

        context.Response.StatusCode = StatusCode;
        context.Response.ContentType = "application/json";
        if (AbortMidBodyWhen is { } abort)
        {
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("{\"status\":");
            await context.Response.Body.FlushAsync();
            await abort.Task.WaitAsync(TimeSpan.FromSeconds(10));
            context.Abort();
            return;
        }

        if (EchoCode)
        {
            var code = string.Join(",", codes);
            context.Response.Headers[CodeHeader] = code;
            context.Response.Headers["X-Provider-Echo"] = code;
            await context.Response.WriteAsync($"{{\"status\":\"sent\",\"code\":\"{code}\"}}");
            return;
        }

        await context.Response.WriteAsync(Body);
    }
}
