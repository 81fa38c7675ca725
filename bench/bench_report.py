"""The report of bench/bench.py: the Markdown summary of a run (bench/results/latest.md) and its plot."""
import json
import os
import statistics
import sys

from bench_plot import plot
from bench_tables import fixed_load_section, cpu_section, audit_section, capacity_section

# What each scenario is, in the order of the tables.
SCENARIOS = {
    "gate": "gated route, shipped policy (caps on), a fresh mobile per request, through nginx (2 gateway instances)",
    "gate-nocaps": "as gate, the caps-off policy (no counters, no client rate limiter)",
    "gate-audit": "as gate, with the audit stream on (one XADD in the same script)",
    "gate-rules": "as gate, with the number rules and the conversion guard on (none refused)",
    "plain": "same provider route without the gate (plain YARP), through nginx",
    "refused": "gated route, one mobile (every request refused 400), through nginx",
    "legacy": "the sample app's seed-style Django view (gunicorn), through nginx",
    "gate-direct": "gated route, a fresh mobile per request, straight to one gateway instance",
    "plain-direct": "same provider route without the gate, straight to one gateway instance",
    "peer": "the OpenResty peer (one EVALSHA, then a subrequest to the provider), same Redis and provider",
}
LOADS = (10, 25, 50)
for _load_level in LOADS:
    SCENARIOS[f"gate@{_load_level}"] = f"as gate, at a fixed {_load_level}% of the gate's maximum (loadgen)"
    SCENARIOS[f"plain@{_load_level}"] = f"as plain, at the same fixed load as gate@{_load_level}"
    SCENARIOS[f"peer@{_load_level}"] = f"as peer, at the same fixed load as gate@{_load_level}"

TARGETS = [
    # (label, numerator, denominator, minimum, every round)
    ("gate / plain, through nginx", "gate", "plain", 0.85, False),
    ("gate / plain, straight to the gateway", "gate-direct", "plain-direct", 0.75, False),
    ("refused / plain, through nginx", "refused", "plain", 1.3, False),
    ("gate / legacy view, through nginx", "gate", "legacy", 8.0, False),
    ("stack against stack: nginx + gateways / OpenResty peer", "gate", "peer", 0.85, False),
    ("gate / OpenResty peer, gateway straight (every round)", "gate-direct", "peer", 1.0, True),
    ("number rules and conversion guard on / off", "gate-rules", "gate", 0.95, False),
]
# Shown beside the targets, no target of their own.
RATIOS = [
    ("caps-off policy / plain, through nginx", "gate-nocaps", "plain"),
    ("audit stream on / off (shipped policy)", "gate-audit", "gate"),
]
RSS_TARGET_MB = 200
# At a quarter of the gate's maximum: the machine's share busy, the gateways' CPU per request against their figure at
# saturation, and what the gate adds to plain's p99.
QUARTER_BUSY_MAX = 0.60
QUARTER_CPU_FACTOR_MAX = 1.5
QUARTER_P99_ADDED_MAX_MS = 1.0


def _load(path):
    with open(path) as f:
        return json.load(f)


def _fmt(value, digits=0):
    return f"{value:,.{digits}f}"


class Runs:
    """The measured runs of a report (round 0, the warm-up, left out), by scenario and round, with medians."""

    def __init__(self, runs):
        self.measured = [r for r in runs if r["round"] > 0]
        self.by = {}
        for run in self.measured:
            self.by.setdefault(run["scenario"], []).append(run)
        self.rounds = sorted({r["round"] for r in self.measured})

    def has(self, *scenarios):
        return all(s in self.by for s in scenarios)

    def median(self, scenario, key):
        values = [r[key] for r in self.by[scenario] if r.get(key) is not None]
        return statistics.median(values) if values else None

    def median_of(self, scenario, get):
        values = [v for v in (get(r) for r in self.by[scenario]) if v is not None]
        return statistics.median(values) if values else None

    def per_round(self, scenario):
        return {r["round"]: r for r in self.by.get(scenario, [])}

    def ratio(self, numerator, denominator):
        top, bottom = self.per_round(numerator), self.per_round(denominator)
        ratios = [top[n]["rps"] / bottom[n]["rps"] for n in self.rounds if n in top and n in bottom]
        return (statistics.median(ratios), ratios) if ratios else (None, [])

    def gateway_cpu(self, scenario):
        return self.median_of(scenario, lambda r: r["cpu_us_per_request"].get("gateways"))


def _header(out, machine):
    out(f"### Benchmark: {machine['date']}")
    out("")
    out(f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} RAM, {machine['kernel']}; "
        f".NET SDK {machine['dotnet']}, {machine['nginx']}, Redis {machine['redis']}, {machine['wrk']}, "
        f"{machine.get('loadgen', 'loadgen')}.")
    out(f"Load: wrk -t{machine['threads']} -c{machine['connections']} at saturation, bench/loadgen (open loop, "
        f"{machine['connections']} connections at most) at fixed loads; {machine['rounds']} interleaved rounds of "
        f"{machine['duration']} s per scenario (after a {machine['warmup']} s warm-up each); everything on this one "
        f"machine over loopback: nginx (2 workers) → {machine.get('gateways', 2)} gateway instance(s) (Release"
        f"{', each pinned to a core of its own' if machine.get('pinned') else ''}) → demo provider, Redis, legacy "
        f"app (gunicorn, {machine['legacy_workers']} sync workers); the OpenResty peer (1 worker) → the same Redis "
        f"and provider. Hops: {machine.get('hops', 'tcp loopback')}. Runtime: {machine['gc']}.")
    out(f"Configuration as shipped: Gateway/appsettings.json (log level {machine['log_level']}) and yarp.json, "
        f"policy legacy-sms with its caps and the sms-per-ip rate limiter (send interval {machine['interval']} s, "
        f"code lifetime {machine['lifetime']} s). Raised for one load generator on one IP, by command-line "
        f"overrides: " + ", ".join(f"`{o.lstrip('-')}`" for o in machine["overrides"]
                                    if o.startswith(("--SmsCodeGate:Policies:legacy-sms:", "--ClientRateLimiting:"))) + ". "
        f"Other overrides add the bench's policies and routes (bench-nocaps, bench-audit, plain-codes).")
    out("")


def _saturation_table(out, runs):
    out("| scenario | req/s (median) | p50 ms | p99 ms | req/s per round | Redis scripts / req | Redis cmds / req | "
        "Redis µs / script | audit |")
    out("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for scenario in SCENARIOS:
        if scenario not in runs.by or "@" in scenario:
            continue
        audit_ok = all(r["audit"]["ok"] for r in runs.by[scenario])
        usec = runs.median(scenario, "redis_usec_per_script")
        per_round = runs.per_round(scenario)
        out(f"| **{scenario}**: {SCENARIOS[scenario]} | {_fmt(runs.median(scenario, 'rps'))} | "
            f"{runs.median(scenario, 'p50_ms'):.2f} | {runs.median(scenario, 'p99_ms'):.2f} | "
            f"{' / '.join(_fmt(per_round[n]['rps']) for n in runs.rounds if n in per_round)} | "
            f"{runs.median(scenario, 'redis_scripts_per_request'):.2f} | "
            f"{runs.median(scenario, 'redis_commands_per_request'):.2f} | "
            f"{'' if usec is None else f'{usec:.2f}'} | {'ok' if audit_ok else 'FAILED'} |")
    out("")


def _targets_table(out, runs, machine):
    out("| target | measured (median of per-round ratios) | per round | target | result | "
        "from CPU per request (without other load) |")
    out("| --- | ---: | --- | ---: | --- | ---: |")
    results = []
    for label, numerator, denominator, minimum, every in TARGETS:
        if not runs.has(numerator, denominator):
            continue
        value, ratios = runs.ratio(numerator, denominator)
        passed = (min(ratios) if every else value) >= minimum
        results.append(passed)
        top, bottom = runs.per_round(numerator), runs.per_round(denominator)
        # On a saturated machine req/s ≈ cores ÷ CPU per request, so the ratio of the stack's CPU per request is
        # what the req/s ratio would be with nothing else running.
        by_cpu = statistics.median(bottom[n]["stack_cpu_us_per_request"] / top[n]["stack_cpu_us_per_request"]
                                   for n in runs.rounds if n in top and n in bottom)
        out(f"| {label} | {value:.2f} | {' / '.join(f'{x:.2f}' for x in ratios)} | ≥ {minimum:g} | "
            f"{'PASS' if passed else 'MISS'} | {by_cpu:.2f} |")
    peak = machine["peak_rss_mb"]
    rss_peak = max(peak.values())
    results.append(rss_peak <= RSS_TARGET_MB)
    out(f"| gateway peak RSS (VmHWM) | {rss_peak:.0f} MB | "
        f"{' / '.join(f'{name} {mb:.0f} MB' for name, mb in peak.items())} | ≤ {RSS_TARGET_MB} MB | "
        f"{'PASS' if rss_peak <= RSS_TARGET_MB else 'MISS'} | |")
    if runs.has("gate@25", "plain@25", "gate"):
        busy = runs.median("gate@25", "cpu_busy_share")
        factor = runs.gateway_cpu("gate@25") / runs.gateway_cpu("gate")
        added = runs.median("gate@25", "p99_ms") - runs.median("plain@25", "p99_ms")
        for label, value, text, limit, passed in (
                ("machine busy at 25% of the gate's maximum", busy, f"{busy * 100:.0f}%",
                 f"≤ {QUARTER_BUSY_MAX * 100:.0f}%", busy <= QUARTER_BUSY_MAX),
                ("gateway CPU per request at 25% ÷ at saturation", factor, f"{factor:.2f}",
                 f"≤ {QUARTER_CPU_FACTOR_MAX:g}", factor <= QUARTER_CPU_FACTOR_MAX),
                ("p99 the gate adds over plain at 25%", added, f"{added:+.2f} ms",
                 f"≤ {QUARTER_P99_ADDED_MAX_MS:g} ms", added <= QUARTER_P99_ADDED_MAX_MS)):
            results.append(passed)
            out(f"| {label} | {text} | | {limit} | {'PASS' if passed else 'MISS'} | |")
    for label, numerator, denominator in RATIOS:
        if runs.has(numerator, denominator):
            value, ratios = runs.ratio(numerator, denominator)
            out(f"| {label} | {value:.2f} | {' / '.join(f'{x:.2f}' for x in ratios)} | | | |")
    out("")
    return results


def report(args):
    runs = Runs([json.loads(line) for line in open(args.results) if line.strip()])
    machine = _load(args.machine)
    lines = []
    out = lines.append
    _header(out, machine)
    _saturation_table(out, runs)
    results = _targets_table(out, runs, machine)
    fixed_load_section(out, runs, machine, LOADS)
    capacity_section(out, runs)
    audit_section(out, runs, SCENARIOS)
    cpu_section(out, runs, SCENARIOS)
    if args.plot:
        plot(args.plot, runs, SCENARIOS, LOADS)
        out(f"![throughput at saturation, latency and CPU per request against load]({os.path.basename(args.plot)})")
        out("")
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    if not all(r["audit"]["ok"] for r in runs.measured):
        sys.exit(4)
    sys.exit(0 if all(results) else 3)
