using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>
/// The recipes of docs/configuration.md, as written there: each marked JSON block is merged into the shipped yarp.json
/// as the page says, the real host starts on it, and a send goes through to a provider that records what it learned.
/// The provider must have learned the mobile and the code that the store holds: a recipe that answers 200 for an SMS
/// to nobody fails here.
/// </summary>
public sealed partial class ConfigurationRecipesTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
        _provider.OtherBody = "{\"status\":\"queued\"}"; // the Twilio-shaped recipe checks the provider's answer
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("shipped", "GET", "/sms_codes/{mobile}/", null)]
    [InlineData("shop", "GET", "/shop/sms_codes/{mobile}/", null)]
    [InlineData("app2", "POST", "/api/v1/sms/send", "{\"user\":{\"phone\":\"{mobile}\"}}")]
    [InlineData("twilio", "GET", "/sms_codes/{mobile}/", null)]
    public async Task Recipe_AsWritten_TheProviderLearnsTheMobileAndTheStoredCode(string recipe, string method, string path, string? body)
    {
        var config = ShippedConfig.Load();
        if (recipe != "shipped")
        {
            ShippedConfig.Merge(config, Recipes()[recipe]);
        }

        config["SmsCodeGate"]!["Redis"] = redis.Server.ConnectionString;
        foreach (var (_, cluster) in config["ReverseProxy"]!["Clusters"]!.AsObject())
        {
            foreach (var (_, destination) in cluster!["Destinations"]!.AsObject())
            {
                destination!["Address"] = _provider.Address.ToString();
            }
        }

        var gatewayConfig = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        gatewayConfig.Root.Clear();
        ShippedConfig.Merge(gatewayConfig.Root, config);
        var host = _resources.Add(new GatewayHost(gatewayConfig).Start());
        var mobile = TestMobiles.Next();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{mobile}", mobile, StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = new StringContent(body.Replace("{mobile}", mobile, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }

        var answer = await host.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var code = (string?)await redis.Server.Database(2).StringGetAsync($"sms_{mobile}");
        Assert.NotNull(code);
        var learned = _provider.Requests.Concat(_provider.OtherRequests).Select(Everything).ToList();
        Assert.Single(learned, text => text.Contains(mobile, StringComparison.Ordinal) && text.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public void Recipes_EveryMarkedBlockOfThePage_IsTriedAbove()
    {
        var tried = typeof(ConfigurationRecipesTests).GetMethod(nameof(Recipe_AsWritten_TheProviderLearnsTheMobileAndTheStoredCode))!
            .GetCustomAttributes(typeof(InlineDataAttribute), inherit: false).Cast<InlineDataAttribute>()
            .Select(data => (string)data.GetData(null!).Single()[0]);

        Assert.NotEmpty(Recipes());
        Assert.Subset(tried.ToHashSet(), Recipes().Keys.ToHashSet());
    }

    /// <summary>The blocks of docs/configuration.md marked <c>&lt;!-- recipe: name --&gt;</c>, each a fragment of an object.</summary>
    private static Dictionary<string, JsonObject> Recipes()
    {
        var page = File.ReadAllText(DocsPage());
        return RecipeBlock().Matches(page).ToDictionary(
            match => match.Groups["name"].Value,
            match => JsonNode.Parse("{" + match.Groups["json"].Value + "}")!.AsObject());
    }

    private static string DocsPage()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var page = Path.Combine(directory.FullName, "docs", "configuration.md");
            if (File.Exists(page))
            {
                return page;
            }
        }

        throw new FileNotFoundException("docs/configuration.md was not found above the test's directory.");
    }

    /// <summary>What the provider was told, in one text: path, query, headers and body (form-decoded, so a form's mobile reads plain).</summary>
    private static string Everything(ProviderRequest request) =>
        string.Join("\n", request.Path, request.Query, string.Join("\n", request.Headers.Select(h => $"{h.Key}: {h.Value}")), Uri.UnescapeDataString(request.Body.Replace('+', ' ')));

    [GeneratedRegex(@"<!-- recipe: (?<name>[\w-]+) -->\s*```json\s*\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex RecipeBlock();
}
