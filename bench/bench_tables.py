"""The tables of the bench report that follow the targets: fixed loads, capacity, audit and CPU per request."""
import statistics


def _fmt(value, digits=0):
    return f"{value:,.{digits}f}"


def _ms(value):
    return "" if value is None else f"{value:.2f}"


def fixed_load_section(out, runs, machine, loads):
    levels = [level for level in loads if runs.has(f"gate@{level}")]
    if not levels:
        return
    out(f"At fixed loads, a share of the gate's own maximum ({machine['gate_max']:,} req/s through nginx, measured "
        "once after the warm-up), sent by bench/loadgen: an open-loop generator that counts each request's latency "
        "from the moment its schedule said it should start (wrk2's correction for coordinated omission). Median of "
        "rounds. CPU per request counts every process of the machine; 'added' is the difference to plain at the "
        "same load:")
    out("")
    out("| load | scenario | req/s sent | p50 ms | p99 ms | p99.9 ms | p99 started late ms | machine busy | "
        "gateway CPU µs / req | machine CPU µs / req | gateway ctx switches / req | p99 added |")
    out("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for level in levels:
        for name in ("plain", "gate", "peer"):
            scenario = f"{name}@{level}"
            if scenario not in runs.by:
                continue
            added = ""
            if name != "plain" and f"plain@{level}" in runs.by:
                added = f"{runs.median(scenario, 'p99_ms') - runs.median(f'plain@{level}', 'p99_ms'):+.2f} ms"
            machine_cpu = runs.median_of(scenario, lambda r: sum(r["machine_us_per_request"].values()))
            out(f"| {level}% | {name} | {_fmt(runs.median(scenario, 'rps'))} | {_ms(runs.median(scenario, 'p50_ms'))} | "
                f"{_ms(runs.median(scenario, 'p99_ms'))} | {_ms(runs.median(scenario, 'p999_ms'))} | "
                f"{_ms(runs.median(scenario, 'late_p99_ms'))} | {runs.median(scenario, 'cpu_busy_share') * 100:.0f}% | "
                f"{runs.gateway_cpu(scenario):.0f} | {machine_cpu:.0f} | "
                f"{runs.median(scenario, 'gateway_switches_per_request'):.1f} | {added} |")
    out("")


def capacity_section(out, runs):
    out("Capacity (median over rounds, saturation runs): CPU from /proc per request of each process, Redis's time "
        "per script call from INFO commandstats (usec / calls), Redis memory per active mobile from MEMORY USAGE "
        "of every key written for a sample of the mobiles sent to (flag, code, code state, hour and day counters).")
    out("")
    out("| path | gateway CPU µs / req | nginx CPU µs / req | Redis CPU ms / 1,000 req | Redis µs / script call | "
        "Redis bytes / active mobile | keys / mobile |")
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scenario in ("gate", "gate-nocaps", "gate-audit", "refused", "gate-direct", "plain", "plain-direct", "peer"):
        if scenario not in runs.by:
            continue
        nginx = runs.median_of(scenario, lambda r: r["cpu_us_per_request"].get("nginx", 0)
                               + r["cpu_us_per_request"].get("peer", 0))
        redis_cpu = runs.median_of(scenario, lambda r: r["cpu_us_per_request"].get("redis"))
        usec = runs.median(scenario, "redis_usec_per_script")
        memory = runs.median_of(scenario, lambda r: r["audit"].get("redis_bytes_per_mobile"))
        keys = runs.median_of(scenario, lambda r: r["audit"].get("redis_keys_per_mobile"))
        out(f"| {scenario} | {runs.gateway_cpu(scenario):.0f} | {nginx:.0f} | {redis_cpu:.1f} | "
            f"{'' if usec is None else f'{usec:.2f}'} | {'' if memory is None else f'{memory:,.0f}'} | "
            f"{'' if keys is None else f'{keys:.1f}'} |")
    out("")
    shares = [r["other_processes_share"] for r in runs.measured]
    worst = max(runs.measured, key=lambda r: r["other_processes_share"])
    out(f"Other processes on the machine (not the stack, not the load generator) used "
        f"{statistics.median(shares) * 100:.0f}% of its CPU in the median run, "
        f"{worst['other_processes_share'] * 100:.0f}% at most ({worst['scenario']}, round {worst['round']}: "
        f"{', '.join(worst['busiest_other_processes']) or 'kernel threads'})."
        + (" Ratios from rounds with much other load are skewed; the last column does not depend on it."
           if worst["other_processes_share"] > 0.05 else ""))
    out("")


def audit_section(out, runs, scenarios):
    out("Audit after every run (all rounds together): every 200 of the gate and of the peer has its code in Redis "
        "db 2, equal to the code the provider received (checked for every SMS sent, so also for requests the load "
        "generator hung up on when it stopped); no mobile sent to twice within its interval; no 5xx.")
    out("")
    out("| scenario | requests | 2xx | 4xx | 5xx | socket errors / timeouts | SMS sent | codes checked | "
        "missing / wrong | sent twice in interval | audit |")
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for scenario in scenarios:
        if scenario not in runs.by:
            continue
        audits = [r["audit"] for r in runs.by[scenario]]

        def total(key):
            return sum(a[key] for a in audits)
        problems = sorted({p for a in audits for p in a["problems"]})
        out(f"| {scenario} | {_fmt(total('requests'))} | {_fmt(total('s2xx'))} | {_fmt(total('s4xx'))} | "
            f"{_fmt(total('s5xx'))} | {total('socket_errors')} / {total('timeouts')} | {_fmt(total('sms_sent'))} | "
            f"{_fmt(total('codes_checked'))} | {total('codes_missing')} / {total('codes_mismatched')} | "
            f"{total('sms_repeated_within')} | {'ok' if not problems else 'FAILED: ' + '; '.join(problems)} |")
    out("")


def cpu_section(out, runs, scenarios):
    components = list(runs.measured[0]["cpu_us_per_request"])
    kinds = list(runs.measured[0]["machine_us_per_request"])
    out("CPU time per request in µs (median over rounds), from /proc: every process shares the 2 cores, so "
        "requests per second ≈ cores ÷ total CPU per request at saturation. The load generator is wrk at "
        "saturation, loadgen at fixed loads. Gateway user time and context switches (all threads of both "
        "instances) per request, and the machine's time by kind:")
    out("")
    out("| scenario | " + " | ".join(components) + " | **total** | machine busy | gateway user µs | "
        "gateway ctx switches | " + " | ".join(f"machine {k}" for k in kinds) + " |")
    out("| --- | " + " | ".join("---:" for _ in components) + " | ---: | ---: | ---: | ---: | "
        + " | ".join("---:" for _ in kinds) + " |")
    for scenario in scenarios:
        if scenario not in runs.by:
            continue
        runs_of = runs.by[scenario]
        values = [statistics.median(r["cpu_us_per_request"][c] for r in runs_of) for c in components]
        busy = statistics.median(r["cpu_busy_share"] for r in runs_of)
        user = statistics.median(r["gateway_user_us_per_request"] for r in runs_of)
        switches = statistics.median(r["gateway_switches_per_request"] for r in runs_of)
        machine_kinds = [statistics.median(r["machine_us_per_request"][k] for r in runs_of) for k in kinds]
        out(f"| {scenario} | " + " | ".join(f"{v:.0f}" for v in values) + f" | **{sum(values):.0f}** | "
            f"{busy * 100:.0f}% | {user:.0f} | {switches:.1f} | " + " | ".join(f"{v:.0f}" for v in machine_kinds) + " |")
    out("")
