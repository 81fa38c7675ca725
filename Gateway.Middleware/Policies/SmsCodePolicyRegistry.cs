using System.Collections.Frozen;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gateway.Middleware.Policies;

/// <summary>
/// Holds the validated policies. Built at start-up, where invalid configuration throws; rebuilt when the
/// configuration reloads, where invalid configuration is logged and the last good policies stay in force.
/// </summary>
internal sealed partial class SmsCodePolicyRegistry : IDisposable
{
    private readonly IOptionsFactory<SmsCodeGateOptions> _factory;
    private readonly ISmsCodePolicyCheck[] _checks;
    private readonly ILogger<SmsCodePolicyRegistry> _logger;
    private readonly List<IDisposable> _changeRegistrations = [];
    private readonly Lock _reloadLock = new();
    private volatile Snapshot _current;

    public SmsCodePolicyRegistry(
        IOptionsFactory<SmsCodeGateOptions> factory,
        IEnumerable<IOptionsChangeTokenSource<SmsCodeGateOptions>> changeSources,
        IEnumerable<ISmsCodePolicyCheck> checks,
        ILogger<SmsCodePolicyRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(changeSources);
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(logger);
        _factory = factory;
        _checks = checks.ToArray();
        _logger = logger;
        _current = Build(factory.Create(Microsoft.Extensions.Options.Options.DefaultName));

        foreach (var source in changeSources)
        {
            _changeRegistrations.Add(ChangeToken.OnChange(source.GetChangeToken, () => TryReload()));
        }
    }

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SmsCodePolicy? policy)
    {
        var current = _current;
        if (current.ChecksPending)
        {
            current = RecheckWhenReady();
        }

        return current.Policies.TryGetValue(name, out policy);
    }

    /// <summary>The names of the policies in force.</summary>
    public IEnumerable<string> Names => _current.Policies.Keys;

    /// <summary>The policies found unable to run on the store, with why; empty when every one can.</summary>
    public IReadOnlyDictionary<string, string> Rejections
    {
        get
        {
            var current = _current;
            return (current.ChecksPending ? RecheckWhenReady() : current).Rejections;
        }
    }

    /// <summary>Why <paramref name="policy"/> cannot run on the store, found once the store's topology was known; null when it can.</summary>
    public string? RejectionOf(SmsCodePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rejections = _current.Rejections;
        return rejections.Count == 0 ? null : rejections.GetValueOrDefault(policy.Name);
    }

    /// <summary>
    /// Looks a policy up, reloading first when it is unknown: YARP may validate a reloaded route before this
    /// registry has seen the same reload.
    /// </summary>
    public bool TryGetFresh(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SmsCodePolicy? policy) =>
        TryGet(name, out policy) || (TryReload() && TryGet(name, out policy));

    /// <summary>Rebuilds the policies from the current configuration; on invalid configuration keeps the last good ones.</summary>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            try
            {
                var previous = _current;
                _current = Build(_factory.Create(Microsoft.Extensions.Options.Options.DefaultName));
                if (!previous.Policies.Keys.SequenceEqual(_current.Policies.Keys) || !ReferenceEquals(previous.Options, _current.Options))
                {
                    Log.Reloaded(_logger, _current.Policies.Count);
                }

                return true;
            }
            catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
            {
                Log.ReloadRejected(_logger, ex.Message);
                return false;
            }
        }
    }

    public void Dispose()
    {
        foreach (var registration in _changeRegistrations)
        {
            registration.Dispose();
        }
    }

    private Snapshot Build(SmsCodeGateOptions options)
    {
        var policies = new Dictionary<string, SmsCodePolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, policy) in options.Policies)
        {
            policies[name] = new SmsCodePolicy(name, policy);
        }

        var ready = _checks.Where(check => check.IsReady).ToList();
        var failures = policies.Values.SelectMany(policy => ready.SelectMany(check => check.Check(policy))).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SmsCodeGateOptions.SectionName, typeof(SmsCodeGateOptions), failures);
        }

        return new Snapshot(options, policies.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), NoRejections, ready.Count < _checks.Length);
    }

    /// <summary>
    /// Runs the checks that could not run at start-up, once they can. Start-up is past, so a failure cannot stop it:
    /// the failing policies are answered 503 (see <see cref="RejectionOf"/>) and the failure is logged.
    /// </summary>
    private Snapshot RecheckWhenReady()
    {
        if (!_checks.All(check => check.IsReady))
        {
            return _current;
        }

        lock (_reloadLock)
        {
            var current = _current;
            if (!current.ChecksPending)
            {
                return current;
            }

            var rejections = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var policy in current.Policies.Values)
            {
                var failures = _checks.SelectMany(check => check.Check(policy)).ToList();
                if (failures.Count > 0)
                {
                    rejections[policy.Name] = string.Join(" ", failures);
                    Log.PolicyRejected(_logger, policy.Name, rejections[policy.Name]);
                }
            }

            _current = current with { Rejections = rejections.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), ChecksPending = false };
            return _current;
        }
    }

    private static readonly FrozenDictionary<string, string> NoRejections = FrozenDictionary<string, string>.Empty;

    private sealed record Snapshot(
        SmsCodeGateOptions Options,
        FrozenDictionary<string, SmsCodePolicy> Policies,
        FrozenDictionary<string, string> Rejections,
        bool ChecksPending);

    private static partial class Log
    {
        [LoggerMessage(EventIds.PoliciesReloaded, LogLevel.Information, "SMS code gate configuration reloaded: {PolicyCount} policies.", EventName = nameof(EventIds.PoliciesReloaded))]
        public static partial void Reloaded(ILogger logger, int policyCount);

        [LoggerMessage(EventIds.PolicyRejected, LogLevel.Error, "SMS code policy {Policy} cannot run on this Redis deployment, seen once it answered; its requests are answered 503 until the configuration is fixed: {Reason}", EventName = nameof(EventIds.PolicyRejected))]
        public static partial void PolicyRejected(ILogger logger, string policy, string reason);

        [LoggerMessage(EventIds.PoliciesReloadRejected, LogLevel.Error, "Reloaded SMS code gate configuration is invalid and was ignored; the last good policies stay in force. {Reason}", EventName = nameof(EventIds.PoliciesReloadRejected))]
        public static partial void ReloadRejected(ILogger logger, string reason);
    }
}
