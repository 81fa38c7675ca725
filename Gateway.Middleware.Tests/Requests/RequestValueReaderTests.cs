using System.Text;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Tests.Requests;

public sealed class RequestValueReaderTests
{
    [Theory]
    [InlineData("application/x-www-form-urlencoded", "mobile=13800138000&code=1", "Body:mobile", "13800138000")]
    [InlineData("application/json", "{\"mobile\":\"13800138000\"}", "Body:mobile", "13800138000")]
    [InlineData("application/json; charset=utf-8", "{\"user\":{\"phone\":13800138000}}", "Json:user.phone", "13800138000")]
    [InlineData("application/vnd.api+json", "{\"mobile\":\"13800138000\"}", "Json:mobile", "13800138000")]
    [InlineData("application/x-www-form-urlencoded", "mobile=%2B8613800138000", "Form:mobile", "+8613800138000")]
    public async Task ReadAsync_BodyValue_Found(string contentType, string body, string source, string expected)
    {
        var value = await ReadAsync(contentType, body, source);

        Assert.Equal(RequestValueOutcome.Found, value.Outcome);
        Assert.Equal(expected, value.Value);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "mobile=1&mobile=2", "Ambiguous")]
    [InlineData("application/json", "{\"mobile\":\"1\",\"mobile\":\"2\"}", "Ambiguous")]
    [InlineData("application/json", "{\"mobile\":null}", "Missing")]
    [InlineData("application/json", "{\"mobile\":[\"13800138000\"]}", "Missing")]
    [InlineData("application/json", "{\"mobile\":1.38e10}", "Missing")]
    [InlineData("application/json", "{\"mobile\":", "Missing")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"mobile\"\r\n\r\n13800138000\r\n--x--", "UnsupportedMediaType")]
    [InlineData("text/plain", "mobile=13800138000", "UnsupportedMediaType")]
    [InlineData("*/*", "{\"mobile\":\"13800138000\"}", "UnsupportedMediaType")]
    [InlineData("application/json; charset=utf-7", "{\"mobile\":\"13800138000\"}", "UnsupportedCharset")]
    [InlineData("application/json", "\uFEFF{\"mobile\":\"13800138000\"}", "UnsupportedCharset")]
    [InlineData("application/x-www-form-urlencoded", "MOBILE=13800138000", "Missing")]
    [InlineData("application/x-www-form-urlencoded", "mobile=", "Missing")]
    public async Task ReadAsync_BodyThatDoesNotSayOneMobile_NotFound(string contentType, string body, string expected)
    {
        Assert.Equal(Enum.Parse<RequestValueOutcome>(expected), (await ReadAsync(contentType, body, "Body:mobile")).Outcome);
    }

    [Fact]
    public async Task ReadAsync_BodyOverTheLimit_TooLargeAndNotRead()
    {
        Assert.Equal(RequestValueOutcome.TooLarge, (await ReadAsync("application/json", "{\"mobile\":\"13800138000\"}", "Body:mobile", maxBytes: 10)).Outcome);
    }

    [Fact]
    public async Task ReadAsync_Body_IsLeftWhereTheForwarderWillReadItFromTheStart()
    {
        var context = Context("application/x-www-form-urlencoded", "mobile=13800138000&sms_code=123456");

        await RequestValueReader.ReadAsync(context, Source("Body:mobile"), 8192);
        using var reader = new StreamReader(context.Request.Body);

        Assert.Equal("mobile=13800138000&sms_code=123456", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task ReadAsync_QueryAndHeader_SingleValuesOnly()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?phone=13800138000&dup=1&dup=2");
        context.Request.Headers["X-Mobile"] = "13800138000";

        Assert.Equal("13800138000", (await RequestValueReader.ReadAsync(context, Source("Query:phone"), 10)).Value);
        Assert.Equal(RequestValueOutcome.Ambiguous, (await RequestValueReader.ReadAsync(context, Source("Query:dup"), 10)).Outcome);
        Assert.Equal("13800138000", (await RequestValueReader.ReadAsync(context, Source("Header:X-Mobile"), 10)).Value);
        Assert.Equal(RequestValueOutcome.Missing, (await RequestValueReader.ReadAsync(context, Source("Header:X-Other"), 10)).Outcome);
    }

    [Theory]
    [InlineData("13800138000", "Found")]
    [InlineData("", "Missing")]
    [InlineData(null, "Missing")]
    public async Task ReadAsync_RouteValue_FoundOnlyWhenNotEmpty(string? value, string expected)
    {
        var context = new DefaultHttpContext();
        if (value is not null)
        {
            context.Request.RouteValues["mobile"] = value;
        }

        var read = await RequestValueReader.ReadAsync(context, Source("Route:mobile"), 10);

        Assert.Equal(Enum.Parse<RequestValueOutcome>(expected), read.Outcome);
        Assert.Equal(expected == "Found" ? value : null, read.Value);
    }

    [Theory]
    [InlineData("?mobile=13800138000", null, "Found")]
    [InlineData("?mobile=13800138000", "application/json; charset=utf-8", "Found")]
    [InlineData("?mobile=13800138000", "text/plain; charset=utf-16", "UnsupportedCharset")]
    [InlineData("?mobile=13800138000", "*/*", "UnsupportedMediaType")]
    [InlineData("", null, "Missing")]
    public async Task ReadAsync_QueryValue_ReadWithTheContentTypesCharsetAsTheAppDoes(string query, string? contentType, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        context.Request.ContentType = contentType;

        var read = await RequestValueReader.ReadAsync(context, Source("Query:mobile"), 10);

        Assert.Equal(Enum.Parse<RequestValueOutcome>(expected), read.Outcome);
        Assert.Equal(expected == "Found" ? "13800138000" : null, read.Value);
    }

    [Theory]
    [InlineData("application/json", "mobile=13800138000", "Form:mobile")]
    [InlineData("application/x-www-form-urlencoded", "{\"mobile\":\"13800138000\"}", "Json:mobile")]
    public async Task ReadAsync_BodyOfTheOtherKindThanTheSourceNames_UnsupportedMediaType(string contentType, string body, string source)
    {
        Assert.Equal(RequestValueOutcome.UnsupportedMediaType, (await ReadAsync(contentType, body, source)).Outcome);
    }

    [Theory]
    [InlineData(new[] { "identity" }, "Found")]
    [InlineData(new[] { "IDENTITY" }, "Found")]
    [InlineData(new[] { "gzip" }, "UnsupportedMediaType")]
    [InlineData(new[] { "identity", "identity" }, "UnsupportedMediaType")]
    public async Task ReadAsync_ContentEncoding_OnlyIdentityIsRead(string[] encodings, string expected)
    {
        var context = Context("application/x-www-form-urlencoded", "mobile=13800138000");
        context.Request.Headers.ContentEncoding = encodings;

        Assert.Equal(Enum.Parse<RequestValueOutcome>(expected), (await RequestValueReader.ReadAsync(context, Source("Body:mobile"), 8192)).Outcome);
    }

    [Fact]
    public async Task ReadAsync_BodyThatIsNotUtf8_UnsupportedCharset()
    {
        var context = Context("application/x-www-form-urlencoded", "");
        byte[] latin1 = [.. "mobile=13800138000&name="u8, 0xE9];
        context.Request.Body = new MemoryStream(latin1);
        context.Request.ContentLength = latin1.Length;

        Assert.Equal(RequestValueOutcome.UnsupportedCharset, (await RequestValueReader.ReadAsync(context, Source("Body:mobile"), 8192)).Outcome);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded; charset=UTF-8", "mobile=13800138000", "application/x-www-form-urlencoded; charset=utf-8")]
    [InlineData("application/vnd.api+json", "{\"mobile\":\"13800138000\"}", "application/json; charset=utf-8")]
    public async Task ReadAsync_BodyRead_ContentTypeForwardedAsWhatTheGateRead(string contentType, string body, string forwarded)
    {
        var context = Context(contentType, body);

        Assert.Equal(RequestValueOutcome.Found, (await RequestValueReader.ReadAsync(context, Source("Body:mobile"), 8192)).Outcome);
        Assert.Equal(forwarded, context.Request.ContentType);
    }

    [Theory]
    [InlineData("X-Mobile", "X_Mobile", "Ambiguous")]
    [InlineData("X_Mobile", "X-Other", "Found")]
    [InlineData("X-Mobile", "X_Other", "Found")]
    public async Task ReadAsync_HeaderBesideAnUnderscoreSpelling_AmbiguousAsWsgiJoinsThem(string read, string other, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[read] = "13800138000";
        context.Request.Headers[other] = "13900000000";

        var value = await RequestValueReader.ReadAsync(context, Source("Header:" + read), 10);

        Assert.Equal(Enum.Parse<RequestValueOutcome>(expected), value.Outcome);
        Assert.Equal(expected == "Found" ? "13800138000" : null, value.Value);
    }

    [Fact]
    public async Task ReadAsync_HeaderEmptyOrTwice_MissingOrAmbiguous()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Empty"] = "";
        context.Request.Headers["X-Twice"] = new Microsoft.Extensions.Primitives.StringValues(["1", "2"]);

        Assert.Equal(RequestValueOutcome.Missing, (await RequestValueReader.ReadAsync(context, Source("Header:X-Empty"), 10)).Outcome);
        Assert.Equal(RequestValueOutcome.Ambiguous, (await RequestValueReader.ReadAsync(context, Source("Header:X-Twice"), 10)).Outcome);
    }

    [Theory]
    [InlineData("Route:mobile", true)]
    [InlineData("json:user.phone", true)]
    [InlineData("Body:mobile", true)]
    [InlineData("Cookie:mobile", false)]
    [InlineData("mobile", false)]
    [InlineData("Json:user..phone", false)]
    [InlineData("Form:", false)]
    [InlineData("0:mobile", false)]
    public void TryParse_Source_AcceptsTheKnownPlaces(string text, bool valid)
    {
        Assert.Equal(valid, RequestValueSource.TryParse(text, out _) is not null);
    }

    private static RequestValueSource Source(string text) => RequestValueSource.TryParse(text, out _)!;

    private static ValueTask<RequestValue> ReadAsync(string contentType, string body, string source, int maxBytes = 8192) =>
        RequestValueReader.ReadAsync(Context(contentType, body), Source(source), maxBytes);

    private static DefaultHttpContext Context(string contentType, string body)
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = contentType;
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        return context;
    }
}
