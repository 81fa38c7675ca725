using System.Text.Json.Serialization;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The operator's view of number blocks: <c>GET {pattern}</c> lists the blocked blocks of every policy with their sends,
/// verifications and time left; <c>DELETE {pattern}/{policy}/{block}</c> unblocks one. Not for the public edge: map it
/// where only operators reach it (the gateway host serves it on <c>Management:Port</c> alone, see docs/blocks.md).
/// </summary>
public static class SmsCodeBlockEndpointRouteBuilderExtensions
{
    /// <summary>The default path of the endpoints.</summary>
    public const string DefaultPattern = "/sms-code-gate/blocks";

    /// <summary>Maps the block management endpoints under <paramref name="pattern"/>; returns their group for conventions (filters, authorization).</summary>
    public static RouteGroupBuilder MapSmsCodeBlocks(this IEndpointRouteBuilder endpoints, string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(pattern);
        group.MapGet("/", (Func<HttpContext, Task<IResult>>)ListAsync);
        group.MapDelete("/{policy}/{block}", UnblockAsync);
        return group;
    }

    private static async Task<IResult> ListAsync(HttpContext context)
    {
        var (registry, store) = PartsOf(context);
        if (store is null)
        {
            return NoBlockStore();
        }

        var listed = new List<BlockedBlock>();
        foreach (var name in registry.Names.Order(StringComparer.Ordinal))
        {
            if (registry.TryGet(name, out var policy) && policy.Blocks is { } blocks)
            {
                foreach (var block in await store.ListBlockedAsync(policy.Database, blocks.BlockedKey.Prefix, blocks.BlockedKey.Suffix, context.RequestAborted))
                {
                    listed.Add(new BlockedBlock(name, block.Block, block.Sends, block.Verified, Math.Max(1, (block.MillisecondsLeft + 999) / 1000)));
                }
            }
        }

        return Results.Json(new BlockList([.. listed.OrderBy(b => b.Policy, StringComparer.Ordinal).ThenBy(b => b.Block, StringComparer.Ordinal)]));
    }

    private static async Task<IResult> UnblockAsync(HttpContext context, string policy, string block)
    {
        var (registry, store) = PartsOf(context);
        if (store is null)
        {
            return NoBlockStore();
        }

        if (!registry.TryGet(policy, out var found) || found.Blocks is not { } blocks)
        {
            return Results.Json(new Message($"No policy '{policy}' with blocks."), statusCode: StatusCodes.Status404NotFound);
        }

        if (block.Length is 0 or > SmsCodeBlockOptions.MaxPrefixLength || !block.All(char.IsAsciiDigit))
        {
            return Results.Json(new Message("A block is E.164 digits without '+'."), statusCode: StatusCodes.Status400BadRequest);
        }

        return await store.UnblockAsync(found.Database, blocks.BlockedKey.Build(block), blocks.CounterKey.Build(block), context.RequestAborted)
            ? Results.NoContent()
            : Results.Json(new Message($"Block {block} of policy '{policy}' is not blocked."), statusCode: StatusCodes.Status404NotFound);
    }

    private static (SmsCodePolicyRegistry Registry, ISmsCodeBlockStore? Store) PartsOf(HttpContext context) =>
        (context.RequestServices.GetRequiredService<SmsCodePolicyRegistry>(), context.RequestServices.GetRequiredService<ISmsCodeStore>() as ISmsCodeBlockStore);

    private static IResult NoBlockStore() =>
        Results.Json(new Message("The gate's store does not keep number blocks."), statusCode: StatusCodes.Status501NotImplemented);

    private sealed record BlockList([property: JsonPropertyName("blocks")] IReadOnlyList<BlockedBlock> Blocks);

    private sealed record BlockedBlock(
        [property: JsonPropertyName("policy")] string Policy,
        [property: JsonPropertyName("block")] string Block,
        [property: JsonPropertyName("sends")] long Sends,
        [property: JsonPropertyName("verifications")] long Verifications,
        [property: JsonPropertyName("secondsLeft")] long SecondsLeft);

    private sealed record Message([property: JsonPropertyName("message")] string Text);
}
