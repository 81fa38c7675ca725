using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Store;

/// <summary>Validates the Redis store's options; a failure names what is wrong.</summary>
internal sealed class RedisSmsCodeStoreOptionsValidator : IValidateOptions<RedisSmsCodeStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSmsCodeStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.StoreTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(RedisSmsCodeStoreOptions)}.{nameof(options.StoreTimeout)} must be positive (was {options.StoreTimeout}).");
        }

        if (options.StoreBreakDuration <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(RedisSmsCodeStoreOptions)}.{nameof(options.StoreBreakDuration)} must be positive (was {options.StoreBreakDuration}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
