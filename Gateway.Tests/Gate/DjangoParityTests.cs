using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Gateway.Tests.Gate;

/// <summary>
/// The gate against the app on the same bytes: each spelling goes through <see cref="RequestValueReader"/> and through
/// Django 3.2 / DRF 3.14 as installed (<c>tests/parsing/django_reads.py</c>, a real WSGIRequest and DRF Request, read as
/// the sample app's verify view reads the mobile). Whenever the gate finds a mobile, the app must read that same one,
/// both from the request as the client sent it and as the gate forwards it (its Content-Type rewritten); otherwise the
/// gate refuses the request and it never reaches the app. (As sent, the app may read nothing where the gate reads a
/// mobile, e.g. for <c>application/vnd.api+json</c>: the app reads what is forwarded, a Content-Type it parses.)
/// </summary>
public sealed class DjangoParityTests(ITestOutputHelper output)
{
    private const string Victim = "13800138000";
    private const string Form = "application/x-www-form-urlencoded";
    private const string Json = "application/json";

    /// <summary>The shipped pattern: what the gate checks a mobile it found against (printable ASCII, the whole value).</summary>
    private static readonly SmsCodePolicy Policy = new("parity", new SmsCodePolicyOptions());

    /// <summary>(content type, body, query, source): bodies are UTF-8 unless given as <c>b64:</c>.</summary>
    public static readonly (string? ContentType, string Body, string Query, string Source)[] Spellings = BuildSpellings();

    [Fact]
    public async Task ReadAsync_EverySpelling_GateFindsWhatTheAppReadsOrRefuses()
    {
        var app = await DjangoReadsAsync(Spellings.Select(s => Case(s.ContentType, s)).Concat(Spellings.Select(s => Case(Forwarded(s), s))).ToList());
        var found = 0;
        var refused = 0;
        var disagreements = new List<string>();
        for (var i = 0; i < Spellings.Length; i++)
        {
            var spelling = Spellings[i];
            var (gate, forwardedType) = await GateReadsAsync(spelling);
            var asSent = AppValue(app[i], spelling.Source);
            var asForwarded = AppValue(app[Spellings.Length + i], spelling.Source);
            if (gate.Outcome != RequestValueOutcome.Found || !Policy.IsValidMobile(gate.Value))
            {
                refused++;
                output.WriteLine($"refused {(gate.Outcome == RequestValueOutcome.Found ? "InvalidMobile" : gate.Outcome),-20} app={asSent ?? "(none)",-16} {Describe(spelling)}");
                continue;
            }

            found++;
            output.WriteLine($"found   {gate.Value,-20} app={asSent ?? "(none)",-16} {Describe(spelling)}");
            Assert.Equal(Forwarded(spelling), forwardedType);
            // As sent, the app may read nothing (DRF has no parser for application/*+json); never another mobile.
            if (gate.Value != asForwarded || (asSent is not null && gate.Value != asSent))
            {
                disagreements.Add($"{Describe(spelling)}: gate {gate.Value}, app {asSent} as sent, {asForwarded} as forwarded");
            }
        }

        output.WriteLine($"{Spellings.Length} spellings: {found} read alike, {refused} refused");
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements));
        Assert.True(found >= 10 && refused >= 10, $"found {found}, refused {refused}");
    }

    private static (string?, string, string, string)[] BuildSpellings()
    {
        var list = new List<(string?, string, string, string)>();
        void Body(string? type, string body) => list.Add((type, body, "", "Body:mobile"));
        void Query(string? type, string query) => list.Add((type, "", query, "Query:mobile"));

        // Charsets, in the spellings Python's codecs.lookup accepts and a few it does not.
        foreach (var charset in new[]
                 {
                     "utf-8", "UTF-8", "\"utf-8\"", "utf8", "UTF8", "utf_8", "us-ascii", "ascii", "US-ASCII", "utf-7", "UTF-7", "\"utf-7\"", "utf7",
                     "u7", "unicode-1-1-utf-7", "utf-16", "utf-16le", "utf-32", "latin1", "iso-8859-1", "cp500", "cp037", "cp1252", "u8",
                     "cp65001", "utf-8-sig", "utf_8_sig", " utf-7", "utf-7 ", "'utf-7'", "utf-8\"", "", "nonsense", "x-user-defined",
                 })
        {
            Body($"{Form}; charset={charset}", $"mobile=13900139000&x=+ACY-mobile={Victim}");
            Body($"{Json}; charset={charset}", $"{{\"mobile\":\"{Victim}\"}}");
            Query($"text/plain; charset={charset}", $"mobile=13900139000&x=+ACY-mobile={Victim}");
        }

        // Two charset parameters, parameter-name spellings, and Content-Type spellings.
        foreach (var type in new[]
                 {
                     $"{Form}; charset=utf-8; charset=utf-7", $"{Form}; CHARSET=utf-7", $"{Form}; charset =utf-7", $"{Form};charset=utf-7",
                     $"{Form}; charset*=utf-7''x", $"{Form}; foo=\"a;charset=utf-7\"", $"{Form}; foo=\"a\\\";charset=utf-7\"", $"{Form}; foo",
                     $"{Form};", $"{Form} ; charset=utf-8", "Application/X-WWW-Form-Urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8",
                     "*/*", "application/*", "*/*; charset=utf-8", "text/plain", "multipart/form-data; boundary=b", $"{Form}, {Json}",
                     $"{Json}, {Form}", $"{Form}\t", "application/x-www-form-urlencoded+json", "", "application", "/json",
                 })
        {
            Body(type, $"mobile={Victim}");
        }

        foreach (var type in new[] { "Application/JSON", "application/vnd.api+json", "application/json; q=1", $"{Json}; charset=utf-8; x=\"y\"", "text/json", "application/json5" })
        {
            Body(type, $"{{\"mobile\":\"{Victim}\"}}");
        }

        Body(null, $"mobile={Victim}");

        // Form bodies: separators, escapes, blanks, repeats, case, whitespace the app strips.
        foreach (var body in new[]
                 {
                     $"mobile={Victim}", $"mobile=13900139000;mobile={Victim}", $"x=1;mobile={Victim}", $"mobile=13900139000&mobile={Victim}",
                     $"mobile={Victim}&mobile=", $"mobile={Victim}&mobile", $"mobile&mobile={Victim}", $"MOBILE={Victim}", $"Mobile={Victim}",
                     $"mob%69le={Victim}", $"mob%49le={Victim}", $"mobile%3D{Victim}", $"mobile={Victim}%26mobile=13900139000",
                     $"mobile=%31%33%38%30%30%31%33%38%30%30%30", $"mobile=+{Victim}", $"mobile={Victim}+", $"mobile=%20{Victim}",
                     $"mobile={Victim}%0A", $"mobile={Victim}%0D%0A", $"mobile={Victim}%09", $"mobile=%C2%A0{Victim}", $"mobile={Victim}%E2%80%A8",
                     $"mobile={Victim}%1C", $"mobile={Victim}%00", $"mobile=%2B86{Victim}", $"mobile=+86{Victim}", $"mobile=%zz{Victim}",
                     $"mobile=%{Victim}", $"mobile=%%31{Victim}", $"mobile={Victim}%", $"?mobile={Victim}", $"&&mobile={Victim}&&",
                     $"mobile ={Victim}", $" mobile={Victim}", $"mobile+={Victim}", $"mobile%20={Victim}", $"mob\u0131le={Victim}",
                     $"\uFEFFmobile={Victim}", $"mobile=\uFF11\uFF13\uFF18\uFF10\uFF10\uFF11\uFF13\uFF18\uFF10\uFF10\uFF10",
                     $"mobile=%EF%BC%91{Victim[1..]}", $"mobile={Victim}&sms_code=1&mobile=13900139000", "mobile=", "mobile", "=13800138000",
                     $"mobile={Victim}#&mobile=13900139000", "b64:" + Convert.ToBase64String([.. Encoding.UTF8.GetBytes($"mobile={Victim}&x="), 0xFF, 0xFE]),
                     "b64:" + Convert.ToBase64String(Encoding.Unicode.GetBytes($"mobile={Victim}")),
                 })
        {
            Body(Form, body);
        }

        // JSON bodies: BOM, constants, duplicates, numbers, nesting, whitespace, escapes.
        foreach (var body in new[]
                 {
                     $"{{\"mobile\":\"{Victim}\"}}", $"\uFEFF{{\"mobile\":\"{Victim}\"}}", $"{{\"mobile\":{Victim}}}", $"{{\"mobile\":\"13900139000\",\"mobile\":\"{Victim}\"}}",
                     $"{{\"mobile\":\"13900139000\",\"mob\\u0069le\":\"{Victim}\"}}", $"{{\"Mobile\":\"{Victim}\"}}", $"{{\"mobile\":NaN,\"x\":\"{Victim}\"}}",
                     $"{{\"mobile\":\"{Victim}\",\"x\":Infinity}}", $"{{\"mobile\":\"{Victim}\",\"x\":-Infinity}}", $"{{\"mobile\":1.38001380e10}}",
                     $"{{\"mobile\":{Victim}.0}}", $"{{\"mobile\":{Victim}e0}}", $"{{\"mobile\":-{Victim}}}", "{\"mobile\":013800138000}",
                     $"{{\"mobile\":\" {Victim} \"}}", $"{{\"mobile\":\"{Victim}\\n\"}}", $"{{\"mobile\":\"{Victim}\\u2028\"}}", $"{{\"mobile\":\"{Victim}\\u0000\"}}",
                     $"{{\"mobile\":\"\\u0031\\u0033\\u0038\\u0030\\u0030\\u0031\\u0033\\u0038\\u0030\\u0030\\u0030\"}}", $"{{\"mobile\":\"{Victim}\\ud800\"}}",
                     $"{{\"mobile\":[\"{Victim}\"]}}", $"{{\"mobile\":{{\"a\":\"{Victim}\"}}}}", $"{{\"mobile\":true}}", $"{{\"mobile\":null}}",
                     $"[{{\"mobile\":\"{Victim}\"}}]", $"{{\"mobile\":\"{Victim}\",}}", $"{{\"mobile\":\"{Victim}\"}}/**/", $"{{'mobile':'{Victim}'}}",
                     $" \t\r\n{{\"mobile\":\"{Victim}\"}} \n", $"{{\"mobile\":\"{Victim}\"}}{{}}", $"{{\"mobile\":\"{Victim}\"}}x",
                     $"{{\"a\":{new string('[', 70)}{new string(']', 70)},\"mobile\":\"{Victim}\"}}", $"{{\"mobile\":\"{Victim}\",\"mobile\":\"{Victim}\"}}",
                     "b64:" + Convert.ToBase64String(Encoding.Unicode.GetBytes($"{{\"mobile\":\"{Victim}\"}}")),
                     "b64:" + Convert.ToBase64String(Encoding.UTF32.GetBytes($"{{\"mobile\":\"{Victim}\"}}")),
                 })
        {
            Body(Json, body);
        }

        // The query, with and without a Content-Type (Django decodes it with that charset).
        foreach (var query in new[]
                 {
                     $"mobile={Victim}", $"mobile=13900139000;mobile={Victim}", $"mobile=13900139000&mobile={Victim}", $"MOBILE={Victim}",
                     $"mob%69le={Victim}", $"?mobile={Victim}", $"mobile=+{Victim}", $"mobile={Victim}%0A", $"mobile=%2B86{Victim}", $"mobile={Victim}&mobile",
                 })
        {
            Query(null, query);
            Query($"{Form}; charset=utf-8", query);
        }

        return [.. list];
    }

    /// <summary>The Content-Type the gate forwards: what it read, for a body it read; else the client's.</summary>
    private static string? Forwarded((string? ContentType, string Body, string Query, string Source) spelling) =>
        spelling.ContentType is not { } contentType || !spelling.Source.StartsWith("Body", StringComparison.Ordinal) ? spelling.ContentType : RequestContentType.Parse(contentType) switch
        {
            RequestMediaKind.Form => RequestContentType.CanonicalForm,
            RequestMediaKind.Json => RequestContentType.CanonicalJson,
            _ => contentType,
        };

    private static async Task<(RequestValue Value, string? ForwardedType)> GateReadsAsync((string? ContentType, string Body, string Query, string Source) spelling)
    {
        var context = new DefaultHttpContext();
        var bytes = BytesOf(spelling.Body);
        context.Request.Method = HttpMethods.Post;
        if (spelling.ContentType is not null)
        {
            context.Request.Headers.ContentType = spelling.ContentType;
        }

        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        if (spelling.Query.Length > 0)
        {
            context.Request.QueryString = new QueryString("?" + spelling.Query);
        }

        var value = await RequestValueReader.ReadAsync(context, RequestValueSource.TryParse(spelling.Source, out _)!, 8192);
        return (value, context.Request.Headers.ContentType.Count == 0 ? null : context.Request.Headers.ContentType.ToString());
    }

    private static string Case(string? contentType, (string? ContentType, string Body, string Query, string Source) spelling) =>
        new JsonObject { ["content_type"] = contentType, ["body"] = Convert.ToBase64String(BytesOf(spelling.Body)), ["query"] = spelling.Query }.ToJsonString();

    private static byte[] BytesOf(string body) => body.StartsWith("b64:", StringComparison.Ordinal) ? Convert.FromBase64String(body[4..]) : Encoding.UTF8.GetBytes(body);

    private static string? AppValue(JsonNode? read, string source) =>
        source.StartsWith("Query", StringComparison.Ordinal) ? (string?)read?["query"] : read?["error"] is null ? (string?)read?["data"] : null;

    private static string Describe((string? ContentType, string Body, string Query, string Source) s) =>
        JsonSerializer.Serialize(new { type = s.ContentType, body = s.Body.Length > 80 ? s.Body[..80] + "..." : s.Body, query = s.Query });

    private static async Task<List<JsonNode?>> DjangoReadsAsync(List<string> cases)
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "parsing", "django_reads.py");
        using var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        foreach (var line in cases)
        {
            await python.StandardInput.WriteLineAsync(line);
        }

        python.StandardInput.Close();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == cases.Count, $"django_reads.py answered {lines.Length} of {cases.Count}: {await stderr}");
        return [.. lines.Select(l => JsonNode.Parse(l))];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
