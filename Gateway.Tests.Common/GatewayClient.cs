using System.Net;
using System.Text;

namespace Gateway.Tests.Common;

/// <summary>Requests the tests send, and what they read back.</summary>
public static class GatewayClient
{
    public static readonly byte[] LegacyOkBody = Encoding.UTF8.GetBytes("{\"message\":\"ok\"}");

    public static readonly byte[] LegacyThrottledBody = Encoding.UTF8.GetBytes("{\"message\":\"手机频繁发送短信\"}");

    /// <summary>
    /// How long a burst of hundreds of requests at once may take before it counts as hanging: each waits behind the
    /// others, so on a loaded machine the last can take minutes without anything being wrong.
    /// </summary>
    public static readonly TimeSpan BurstHangGuard = TimeSpan.FromMinutes(5);

    /// <param name="within">The hang guard of this request, 30 s unless set.</param>
    public static Task<HttpResponseMessage> RequestCodeAsync(this HttpClient client, string mobile, string? injectedCode = null, TimeSpan? within = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        if (injectedCode is not null)
        {
            request.Headers.TryAddWithoutValidation(RecordingSmsProvider.CodeHeader, injectedCode);
        }

        return client.SendAsync(request).WaitAsync(within ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Requests a code for <paramref name="mobile"/>, then again at once: the first is sent (200, the legacy body), the
    /// repeat refused for the send interval (400, the legacy throttled body).
    /// </summary>
    public static async Task AssertSentThenRepeatRefusedAsync(this HttpClient client, string mobile)
    {
        var first = await client.RequestCodeAsync(mobile);
        var second = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(LegacyOkBody, await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(LegacyThrottledBody, await second.Content.ReadAsByteArrayAsync());
    }

    public static async Task<string> MessageOfAsync(HttpResponseMessage response)
    {
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("message").GetString()!;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the bound passes; for effects that land asynchronously.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await condition();
    }
}
