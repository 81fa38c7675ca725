using Gateway.Middleware;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Routing;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Benchmarks;

/// <summary>
/// The gate as the host builds it (<c>AddSmsCodeGate</c>, no log providers and no metric listeners, as under load
/// with the log level at Warning), and one reusable request on a gated route for a mobile that is already flagged.
/// </summary>
internal sealed class GateFixture : IDisposable
{
    public const string PolicyName = "bench";
    public const string Mobile = "13800138000";

    private readonly ServiceProvider _services;

    public GateFixture(string? redis = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // The gate is a step of YARP's pipeline and reads its route table (for the one-way-in guard).
        services.AddReverseProxy().LoadFromMemory([], []).AddSmsCodeGate(options =>
        {
            options.Redis = redis;
            // A long interval: the mobile primed below stays refused for the whole run.
            options.Policies[PolicyName] = new SmsCodePolicyOptions { SendInterval = TimeSpan.FromHours(1) };
        });
        _services = services.BuildServiceProvider();
        _services.GetRequiredService<SmsCodePolicyRegistry>().TryGet(PolicyName, out var policy);
        Policy = policy!;
        Store = _services.GetRequiredService<ISmsCodeStore>();
        Middleware = ActivatorUtilities.CreateInstance<SmsCodeGateMiddleware>(_services, (RequestDelegate)Forward);
        Context = RefusedRequest();
    }

    public SmsCodePolicy Policy { get; }

    public ISmsCodeStore Store { get; }

    /// <summary>The gate's Redis connection (for a Redis fixture), read through the same seam the store uses.</summary>
    public StackExchange.Redis.IConnectionMultiplexer Redis => _services.GetRequiredService<RedisConnection>().Multiplexer;

    public SmsCodeGateMiddleware Middleware { get; }

    /// <summary>A request for <see cref="Mobile"/> on a gated route; after <see cref="PrimeAsync"/> the gate refuses it.</summary>
    public HttpContext Context { get; }

    /// <summary>
    /// Issues a code for <see cref="Mobile"/> once, so that every later request meets its send flag. With Redis the
    /// flag may be there already, from an earlier benchmark process.
    /// </summary>
    public async Task PrimeAsync()
    {
        await Middleware.InvokeAsync(Context);
        if (Context.Response.StatusCode is not (StatusCodes.Status200OK or StatusCodes.Status400BadRequest))
        {
            throw new InvalidOperationException($"Priming the gate answered {Context.Response.StatusCode}, not 200.");
        }

        await Middleware.InvokeAsync(Context);
        if (Context.Response.StatusCode != StatusCodes.Status400BadRequest)
        {
            throw new InvalidOperationException($"The primed mobile answered {Context.Response.StatusCode}, not 400.");
        }
    }

    /// <summary>What the gate builds for one request before its store call (as the middleware's BuildRequest, caps off).</summary>
    public SmsCodeIssueRequest IssueRequest(string code) =>
        new(Policy.Database, Policy.SendFlagKey.Build(Mobile), Policy.CodeKey.Build(Mobile), Policy.CodeStateKey.Build(Mobile), code,
            IssueNonce.Next(), Policy.SendIntervalMilliseconds, Policy.CodeLifetimeMilliseconds)
        {
            PerHour = SmsCodeCounter.Off,
            PerDay = SmsCodeCounter.Off,
            PerIpPerHour = SmsCodeCounter.Off,
            SendsPerMinute = SmsCodeCounter.Off,
        };

    public void Dispose() => _services.Dispose();

    /// <summary>Stands in for YARP's forwarder: the provider accepts (only reached while priming).</summary>
    private static Task Forward(HttpContext context)
    {
        SmsCodeGateContext.Of(context)!.ReportProviderAnswer(new ProviderAnswer(StatusCodes.Status200OK, Rejected: false));
        return Task.CompletedTask;
    }

    private static DefaultHttpContext RefusedRequest()
    {
        var route = new RouteConfig
        {
            RouteId = "sms-codes",
            ClusterId = "sms-provider",
            Match = new RouteMatch { Path = "/sms_codes/{mobile}/" },
            Metadata = new Dictionary<string, string> { [SmsCodeGateMetadata.PolicyName] = PolicyName },
        };
        var context = new DefaultHttpContext();
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = new RouteModel(route, cluster: null, HttpTransformer.Empty),
        });
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/sms_codes/" + Mobile + "/";
        context.Request.RouteValues[SmsCodeGateMetadata.MobileRouteValue] = Mobile;
        context.Response.Body = Stream.Null;
        return context;
    }
}
