using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Diagnostics;

/// <summary>
/// No outcome leaks a code or a full mobile. Each test drives one outcome through the real host on the Redis store
/// (its own redis-server) and the recording provider on loopback, with the gateway's own categories logged from Trace
/// (the framework's keep the levels the shipped appsettings.json sets), then scans every log record (message, structured
/// state values, exception in full) for every code the gate generated or the provider received, every guess sent, and
/// every full mobile the test used; and every answer the client got (status, headers, body) for the codes and guesses.
/// The masked mobile (<c>138****8000</c>) is allowed. The provider echoes the code back, as a careless one might.
/// </summary>
public sealed partial class NoLeakTests : OwnRedisTests
{
    private readonly RecordingCodeGenerator _codes = new();
    private readonly ConcurrentQueue<string> _answers = new();
    private readonly ConcurrentQueue<string> _mobiles = new();
    private readonly ConcurrentQueue<string> _guesses = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Provider.EchoCode = true;
    }

    [Fact]
    public async Task Issued_200_LeaksNothing()
    {
        var (host, client) = Start();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Mobile())).StatusCode);

        AssertNoLeak(host, "CodeSent");
    }

    [Fact]
    public async Task RefusedForInterval_400_LeaksNothing()
    {
        var (host, client) = Start();
        var mobile = Mobile();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);

        AssertNoLeak(host, "SendRefused");
    }

    [Fact]
    public async Task InvalidMobile_404_LeaksNothing()
    {
        var (host, client) = Start();
        var valid = Mobile();
        var wrongPrefix = Track("12" + valid[2..]);
        var tooLong = Track(valid + "0");

        Assert.Equal(HttpStatusCode.NotFound, (await client.RequestCodeAsync(wrongPrefix)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.RequestCodeAsync(tooLong)).StatusCode);

        AssertNoLeak(host, "InvalidMobile");
    }

    [Fact]
    public async Task MethodNotAllowedAndPathRefused_405And400_LeakNothing()
    {
        var (host, client) = Start();
        var mobile = Mobile();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri($"/sms_codes%2F{mobile}/", UriKind.Relative))).StatusCode);

        AssertNoLeak(host, "MethodNotAllowed", "PathRefused");
    }

    [Fact]
    public async Task SpendGuardReached_503_LeaksNothing()
    {
        var (host, client) = Start(edit: config => config.Policy["MaxSendsPerMinute"] = 1);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Mobile())).StatusCode);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(Mobile())).StatusCode);

        AssertNoLeak(host, "SpendGuardReached");
    }

    [Fact]
    public async Task RepeatWithTheSameIdempotencyKey_LeaksNothing()
    {
        var (host, client) = Start();
        var mobile = Mobile();

        for (var i = 0; i < 2; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
            request.Headers.Add("Idempotency-Key", "k-1");
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);
        }

        Assert.Single(Provider.RequestsFor(mobile));
        AssertNoLeak(host, "CodeSent");
    }

    [Fact]
    public void ShippedConsoleLog_WritesNoScopes_WhichCarryTheFullRequestPath()
    {
        // The scans above read no scopes: ASP.NET Core's request scope holds the path, and so the full mobile. The
        // shipped console log (appsettings.json) must then not write them.
        var (host, _) = Start();

        Assert.Equal(ConsoleFormatterNames.Simple, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        Assert.False(host.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue.IncludeScopes);
    }

    private (GatewayHost Host, HttpClient Client) Start(Action<GatewayConfig>? edit = null, bool verify = false, TimeProvider? time = null)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        if (verify)
        {
            config.WithVerifyRoutes();
        }

        edit?.Invoke(config);
        var host = Resources.Add(new GatewayHost(
            config,
            configureServices: services =>
            {
                services.AddSingleton<ISmsCodeGenerator>(_codes);
                if (time is not null)
                {
                    services.AddSingleton(time);
                }
            },
            gateLogLevel: LogLevel.Trace).Start());
        return (host, host.CreateDefaultClient(new AnswerRecorder(_answers)));
    }

    private string Mobile() => Track(TestMobiles.Next());

    private string Track(string mobile)
    {
        _mobiles.Enqueue(mobile);
        return mobile;
    }

    /// <summary>
    /// Scans every record the host logged and every answer the client got. <paramref name="expectedEvents"/> must be
    /// among the records, so that the outcome's own lines, Debug ones included, were written and scanned.
    /// </summary>
    private void AssertNoLeak(GatewayHost host, params string[] expectedEvents)
    {
        var received = Provider.Requests.Select(r => r.Code).OfType<string>().ToList();
        Assert.Subset(_codes.Codes.ToHashSet(), received.ToHashSet());
        var secrets = _codes.Codes.Concat(received).Concat(_guesses).Distinct().ToList();
        var mobiles = _mobiles.ToList();
        Assert.NotEmpty(mobiles);

        var records = host.Logs.GetSnapshot();
        foreach (var name in expectedEvents)
        {
            Assert.True(records.Any(r => r.Id.Name == name), $"no {name} record among:{Environment.NewLine}{records.Describe()}");
        }

        foreach (var text in records.Select(r => r.FullText()))
        {
            foreach (var secret in secrets.Concat(mobiles))
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }

        if (expectedEvents.Any(name => name is "CodeSent" or "SendRefused" or "InvalidMobile"))
        {
            // Those lines name the mobile: masked, not left out.
            Assert.Contains(records, r => mobiles.Any(m => r.Message.Contains(MobileMask.Mask(m), StringComparison.Ordinal)));
        }

        Assert.NotEmpty(_answers);
        foreach (var answer in _answers)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, answer, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The gate's generator, keeping every code it makes: refused and failed requests draw one too.</summary>
    private sealed class RecordingCodeGenerator : ISmsCodeGenerator
    {
        private readonly SmsCodeGenerator _inner = new();

        public ConcurrentQueue<string> Codes { get; } = new();

        public string Generate(int length)
        {
            var code = _inner.Generate(length);
            Codes.Enqueue(code);
            return code;
        }
    }

    /// <summary>Keeps every answer the client got, as text: status, headers and body.</summary>
    private sealed class AnswerRecorder(ConcurrentQueue<string> answers) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var text = new StringBuilder().Append((int)response.StatusCode).AppendLine();
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                text.Append(header.Key).Append(": ").AppendJoin(", ", header.Value).AppendLine();
            }

            answers.Enqueue(text.AppendLine().Append(await response.Content.ReadAsStringAsync(cancellationToken)).ToString());
            return response;
        }
    }
}
