using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>
/// The request body, read once into memory up to a limit and kept as a request feature; the request stream is
/// buffered and rewound, so that what the gate read is still there for YARP to forward.
/// </summary>
internal sealed class BufferedRequestBody
{
    private static readonly BufferedRequestBody TooLarge = new([], isTooLarge: true);

    private BufferedRequestBody(byte[] bytes, bool isTooLarge)
    {
        Bytes = bytes;
        IsTooLarge = isTooLarge;
    }

    public byte[] Bytes { get; }

    public bool IsTooLarge { get; }

    public static async ValueTask<BufferedRequestBody> ReadAsync(HttpContext context, int maxBytes)
    {
        if (context.Features.Get<BufferedRequestBody>() is { } read)
        {
            return read;
        }

        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return Remember(context, TooLarge);
        }

        request.EnableBuffering(bufferThreshold: maxBytes + 1);
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int count;
        while (length < buffer.Length && (count = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            length += count;
        }

        request.Body.Position = 0;
        return Remember(context, length > maxBytes ? TooLarge : new BufferedRequestBody(buffer[..length], isTooLarge: false));
    }

    private static BufferedRequestBody Remember(HttpContext context, BufferedRequestBody body)
    {
        context.Features.Set(body);
        return body;
    }
}
