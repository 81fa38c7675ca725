#!/usr/bin/python3
"""Helpers of bench/run.sh: snapshots of the processes and Redis, audits, and the summary table.

Run with Debian's /usr/bin/python3 (it has python3-redis, which python3-django-redis pulls in).

  bench.py snapshot --redis PORT NAME=PID...        JSON: Redis command counts, CPU ticks and RSS per process tree
  bench.py audit --kind KIND --provider URL --redis PORT --within SECONDS --wrk WRK.json
                                                    JSON: what the provider sent, checked against Redis db 2
  bench.py record --scenario S --round R --tag T --wrk W --before B --after A --audit U
                                                    appends one run to results.jsonl (stdin: nothing), prints progress
  bench.py report --results results.jsonl --machine machine.json --out latest.md
"""
import argparse
import json
import os
import statistics
import sys
import urllib.request

import redis

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# What each scenario is, in the order of the tables.
SCENARIOS = {
    "gate": "gated route, shipped policy (caps on), a fresh mobile per request, through nginx (2 gateway instances)",
    "gate-nocaps": "as gate, the caps-off policy (no counters, no client rate limiter)",
    "gate-audit": "as gate, with the audit stream on (one XADD in the same script)",
    "plain": "same provider route without the gate (plain YARP), through nginx",
    "refused": "gated route, one mobile (every request refused 400), through nginx",
    "legacy": "the sample app's seed-style Django view (gunicorn), through nginx",
    "gate-direct": "gated route, a fresh mobile per request, straight to one gateway instance",
    "plain-direct": "same provider route without the gate, straight to one gateway instance",
    "peer": "the OpenResty peer (one EVALSHA, then a subrequest to the provider), same Redis and provider",
    "gate@half": "as gate, at a fixed load of half plain's maximum",
    "plain@half": "as plain, at the same fixed load",
    "peer@half": "as peer, at the same fixed load",
}
# Redis commands that run a script (the gate's issue call, the peer's EVALSHA).
SCRIPT_COMMANDS = ("evalsha", "eval", "fcall", "evalsha_ro", "fcall_ro")

TARGETS = [
    # (label, numerator, denominator, minimum)
    ("gate / plain, through nginx", "gate", "plain", 0.85),
    ("gate / plain, straight to the gateway", "gate-direct", "plain-direct", 0.75),
    ("refused / plain, through nginx", "refused", "plain", 1.3),
    ("gate / legacy view, through nginx", "gate", "legacy", 8.0),
    ("gate / OpenResty peer (gateway behind nginx)", "gate", "peer", 1.0),
    ("gate / OpenResty peer (gateway straight)", "gate-direct", "peer", 1.0),
]
# Shown beside the targets, no target of their own.
RATIOS = [
    ("caps-off policy / plain, through nginx", "gate-nocaps", "plain"),
    ("audit stream on / off (shipped policy)", "gate-audit", "gate"),
]
RSS_TARGET_MB = 200


# --------------------------------------------------------------------------------------------------------------
# snapshot

def _children():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _tree(pid, children):
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        stack.extend(children.get(current, []))
    return pids


def _cpu_ticks(pid):
    """(user, system) clock ticks of a process, all its threads."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0
    return int(fields[11]), int(fields[12])


def _context_switches(pid):
    """Voluntary + involuntary context switches over all threads of a process."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def _status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _threads(pid):
    return _status_kb(pid, "Threads")


def _machine_ticks():
    """Busy and total ticks of the machine, and the busy ticks by kind (user, system, softirq...)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    kinds = {"user": user + nice, "system": system, "softirq": softirq + irq, "steal": steal}
    return sum(kinds.values()), sum(values), kinds


def snapshot(args):
    r = redis.Redis(host="127.0.0.1", port=args.redis)
    stats = r.info("commandstats")
    commands = {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()}
    command_usec = {name.removeprefix("cmdstat_"): value["usec"] for name, value in stats.items()}
    used_memory = r.info("memory")["used_memory"]
    children = _children()
    cpu, user, rss, hwm, threads, switches = {}, {}, {}, {}, {}, {}
    for item in args.procs:
        name, pid = item.split("=")
        tree = _tree(int(pid), children)
        ticks = [_cpu_ticks(p) for p in tree]
        user[name] = sum(u for u, _ in ticks)
        cpu[name] = user[name] + sum(s for _, s in ticks)
        rss[name] = sum(_status_kb(p, "VmRSS") for p in tree)
        hwm[name] = _status_kb(int(pid), "VmHWM")
        threads[name] = sum(_threads(p) for p in tree)
        switches[name] = sum(_context_switches(p) for p in tree)
    # Everything else on the machine (kernel threads, other users' processes): user + system time of every other
    # process plus what it reaped from its exited children, so that a build that comes and goes is counted too.
    tracked = {p for item in args.procs for p in _tree(int(item.split("=")[1]), children)}
    tracked.update({os.getpid(), args.exclude})
    others = {}
    for pid in {p for ps in children.values() for p in ps}:
        if pid in tracked:
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        others[f"{pid} {head.split('(', 1)[1]}"] = sum(int(fields[i]) for i in (11, 12, 13, 14))
    busy, total, kinds = _machine_ticks()
    json.dump({"commands": commands, "command_usec": command_usec, "used_memory": used_memory, "cpu_ticks": cpu, "user_ticks": user, "rss_kb": rss, "hwm_kb": hwm,
               "threads": threads, "context_switches": switches, "others_ticks": sum(others.values()), "others": others, "machine_busy_ticks": busy,
               "machine_total_ticks": total, "machine_kinds": kinds}, sys.stdout)


# --------------------------------------------------------------------------------------------------------------
# audit

# The keys of one mobile with the shipped key templates (yarp.json): flag, code, code state, hour and day counters.
MOBILE_KEYS = ("send_flag_{}", "sms_{}", "sms_state_{}", "sms_hour_{}", "sms_day_{}")

def _get_json(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def audit(args):
    with open(args.wrk) as f:
        wrk = json.load(f)
    stats = _get_json(f"{args.provider}/stats?within={args.within}")
    result = {
        "kind": args.kind,
        "requests": wrk["requests"],
        "s2xx": wrk["s2xx"], "s4xx": wrk["s4xx"], "s5xx": wrk["s5xx"], "other": wrk["s3xx"],
        "socket_errors": wrk["connect_errors"] + wrk["read_errors"] + wrk["write_errors"],
        "timeouts": wrk["timeouts"],
        "sms_sent": stats["total"], "sms_repeated_within": stats["repeatedWithin"],
        "codes_checked": 0, "codes_missing": 0, "codes_mismatched": 0,
    }
    problems = []
    if wrk["s5xx"]:
        problems.append(f"{wrk['s5xx']} answers 5xx")
    if wrk["s3xx"]:
        problems.append(f"{wrk['s3xx']} answers 3xx")
    if stats["repeatedWithin"]:
        problems.append(f"{stats['repeatedWithin']} mobiles sent to twice within {args.within} s")

    if args.kind == "gate":
        sent = _get_json(f"{args.provider}/sent")
        if len(sent) != stats["total"]:
            problems.append(f"provider kept {len(sent)} of {stats['total']} messages: raise MaxRecorded")
        store = redis.Redis(host="127.0.0.1", port=args.redis, db=2, decode_responses=True)
        missing = mismatched = 0
        for start in range(0, len(sent), 1000):
            chunk = sent[start:start + 1000]
            stored = store.mget([f"sms_{m['mobile']}" for m in chunk])
            for message, code in zip(chunk, stored):
                if code is None:
                    missing += 1
                elif code != message["code"]:
                    mismatched += 1
        result.update(codes_checked=len(sent), codes_missing=missing, codes_mismatched=mismatched)
        # What one active mobile holds in Redis: MEMORY USAGE of every key the gate (or the peer) writes for it,
        # over a sample of the mobiles sent to (keys of a policy whose caps are off do not exist: 0).
        sample = sent[:: max(1, len(sent) // 200)][:200]
        if sample:
            pipe = store.pipeline(transaction=False)
            for message in sample:
                for template in MOBILE_KEYS:
                    pipe.memory_usage(template.format(message["mobile"]), samples=0)
            sizes = pipe.execute()
            result["redis_bytes_per_mobile"] = sum(size or 0 for size in sizes) / len(sample)
            result["redis_keys_per_mobile"] = sum(1 for size in sizes if size) / len(sample)
        # Every 200 was forwarded to the provider first, so checking every SMS checks every 200. A request still in
        # flight when wrk stopped may have been sent without wrk counting its 200, hence <=.
        if wrk["s2xx"] > stats["total"]:
            problems.append(f"{wrk['s2xx']} answers 200 but only {stats['total']} SMS sent")
        # Stricter than "every 200": every SMS, also one whose client hung up when wrk stopped (the gate keeps
        # the code of an SMS that may have gone out).
        if missing or mismatched:
            problems.append(f"{missing} codes missing and {mismatched} wrong in Redis")
        if wrk["s2xx"] > stats["total"] - missing:
            problems.append(f"{wrk['s2xx']} answers 200 but only {stats['total'] - missing} SMS with their code")
        if wrk["s4xx"]:
            problems.append(f"{wrk['s4xx']} fresh mobiles refused")
    elif args.kind == "refused":
        if stats["total"]:
            problems.append(f"{stats['total']} SMS sent for a mobile inside its interval")
        if wrk["s2xx"]:
            problems.append(f"{wrk['s2xx']} answers 200")
    else:
        if wrk["s4xx"]:
            problems.append(f"{wrk['s4xx']} answers 4xx")
    result["problems"] = problems
    result["ok"] = not problems
    json.dump(result, sys.stdout)


# --------------------------------------------------------------------------------------------------------------
# record

def _load(path):
    with open(path) as f:
        return json.load(f)


def record(args):
    wrk, before, after, audited = _load(args.wrk), _load(args.before), _load(args.after), _load(args.audit)
    requests = max(1, wrk["requests"])
    commands = {name: after["commands"].get(name, 0) - before["commands"].get(name, 0) for name in after["commands"]}
    scripts = sum(commands.get(name, 0) for name in SCRIPT_COMMANDS)
    script_usec = sum(after["command_usec"].get(name, 0) - before["command_usec"].get(name, 0)
                      for name in SCRIPT_COMMANDS)
    total = sum(commands.values())
    cpu_us = {}
    for name in after["cpu_ticks"]:
        # Both gateway instances in one column; both nginx instances (only one is busy in a run) in another.
        column = "gateways" if name.startswith("gateway-") else "nginx" if name.startswith("nginx") else name
        spent = (after["cpu_ticks"][name] - before["cpu_ticks"].get(name, 0)) / CLOCK_TICKS * 1e6 / requests
        cpu_us[column] = cpu_us.get(column, 0.0) + spent
    machine_us = (after["machine_busy_ticks"] - before["machine_busy_ticks"]) / CLOCK_TICKS * 1e6 / requests
    with open(args.shell_stat) as f:
        shell = [line.rsplit(")", 1)[1].split() for line in f if line.strip()]
    # Fields 16 and 17 (cutime, cstime) of the shell that ran wrk; index 13/14 after the command name.
    wrk_ticks = sum(int(shell[1][i]) - int(shell[0][i]) for i in (13, 14))
    cpu_us["wrk"] = wrk_ticks / CLOCK_TICKS * 1e6 / requests
    cpu_us["other processes"] = max(0, after["others_ticks"] - before["others_ticks"]) / CLOCK_TICKS * 1e6 / requests
    cpu_us["rest (kernel)"] = max(0.0, machine_us - sum(cpu_us.values()))
    busiest_others = sorted(((after["others"][k] - before["others"].get(k, 0), k) for k in after["others"]),
                            reverse=True)[:3]
    gateway_names = [n for n in after["cpu_ticks"] if n.startswith("gateway-")]
    gateway_user_us = sum(after["user_ticks"][n] - before["user_ticks"][n] for n in gateway_names) \
        / CLOCK_TICKS * 1e6 / requests
    # Threads that exit take their counts with them: clamp at 0 (it only matters when the gateways are idle).
    gateway_switches = max(0, sum(after["context_switches"][n] - before["context_switches"][n]
                                  for n in gateway_names)) / requests
    machine_kinds_us = {k: (after["machine_kinds"][k] - before["machine_kinds"][k]) / CLOCK_TICKS * 1e6 / requests
                        for k in after["machine_kinds"]}
    machine_share = ((after["machine_busy_ticks"] - before["machine_busy_ticks"])
                     / max(1, after["machine_total_ticks"] - before["machine_total_ticks"]))
    run = {
        "scenario": args.scenario, "round": args.round, "tag": args.tag,
        "rps": wrk["rps"], "p50_ms": wrk["p50_ms"], "p90_ms": wrk["p90_ms"], "p99_ms": wrk["p99_ms"],
        "max_ms": wrk["max_ms"], "requests": wrk["requests"],
        "target_rps": float(args.target_rps) if args.target_rps else None,
        "redis_scripts_per_request": scripts / requests, "redis_commands_per_request": total / requests,
        "redis_usec_per_script": script_usec / scripts if scripts else None,
        "redis_memory_delta_bytes": after["used_memory"] - before["used_memory"],
        "redis_commands": {k: v for k, v in sorted(commands.items()) if v},
        "cpu_us_per_request": cpu_us, "cpu_busy_share": machine_share,
        "gateway_user_us_per_request": gateway_user_us, "gateway_switches_per_request": gateway_switches,
        "machine_us_per_request": machine_kinds_us,
        "other_processes_share": cpu_us["other processes"] * wrk["rps"] / 1e6 / (os.cpu_count() or 1),
        "stack_cpu_us_per_request": sum(cpu_us.values()) - cpu_us["other processes"],
        "busiest_other_processes": {name: ticks / CLOCK_TICKS for ticks, name in busiest_others if ticks > 0},
        "rss_mb": {k: v / 1024 for k, v in after["rss_kb"].items()},
        "threads": after["threads"],
        "audit": audited,
    }
    with open(args.results, "a") as f:
        f.write(json.dumps(run, ensure_ascii=False) + "\n")
    verdict = "audit ok" if audited["ok"] else "AUDIT FAILED: " + "; ".join(audited["problems"])
    print(f"{args.scenario:<13} {wrk['rps']:>8.0f} rps  p50 {wrk['p50_ms']:6.2f} ms  p99 {wrk['p99_ms']:6.2f} ms  "
          f"redis {scripts / requests:4.2f} scripts, {total / requests:4.2f} cmds/req"
          + (f" {script_usec / scripts:5.2f} us/script  " if scripts else "  ") +
          f"cpu {machine_share * 100:3.0f}%  {verdict}")


# --------------------------------------------------------------------------------------------------------------
# report

def _fmt(value, digits=0):
    return f"{value:,.{digits}f}"


def _plot(path, by, median):
    """Two panels: median throughput at saturation, and median p99 (saturation and fixed load), per scenario."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    saturated = [s for s in SCENARIOS if s in by and not s.endswith("@half")]
    everything = [s for s in SCENARIOS if s in by]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    colours = ["#1f77b4" if s.startswith("gate") or s == "refused" else "#ff7f0e" if s.startswith("peer")
               else "#7f7f7f" for s in everything]
    rps = [median(s, "rps") for s in saturated]
    left.bar(saturated, rps, color=colours[:len(saturated)])
    left.set_title("throughput at saturation (req/s, median of rounds)")
    for x, value in enumerate(rps):
        left.annotate(f"{value:,.0f}", (x, value), ha="center", va="bottom", fontsize=8)
    p99 = [median(s, "p99_ms") for s in everything]
    right.bar(everything, p99, color=colours)
    right.set_title("p99 latency (ms, median of rounds)")
    right.set_yscale("log")
    for x, value in enumerate(p99):
        right.annotate(f"{value:.1f}", (x, value), ha="center", va="bottom", fontsize=8)
    for axis in (left, right):
        axis.tick_params(axis="x", labelrotation=45, labelsize=8)
        axis.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def report(args):
    runs = [json.loads(line) for line in open(args.results) if line.strip()]
    machine = _load(args.machine)
    measured = [r for r in runs if r["round"] > 0]
    by = {}
    for run in measured:
        by.setdefault(run["scenario"], []).append(run)
    rounds = sorted({r["round"] for r in measured})

    def median(scenario, key):
        values = [r[key] for r in by[scenario] if r.get(key) is not None]
        return statistics.median(values) if values else None

    def median_of(scenario, get):
        values = [v for v in (get(r) for r in by[scenario]) if v is not None]
        return statistics.median(values) if values else None

    def per_round(scenario):
        return {r["round"]: r for r in by.get(scenario, [])}

    def ratio(numerator, denominator):
        top, bottom = per_round(numerator), per_round(denominator)
        ratios = [top[n]["rps"] / bottom[n]["rps"] for n in rounds if n in top and n in bottom]
        return (statistics.median(ratios), ratios) if ratios else (None, [])

    lines = []
    out = lines.append
    out(f"### Benchmark: {machine['date']}")
    out("")
    out(f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} RAM, {machine['kernel']}; "
        f".NET SDK {machine['dotnet']}, {machine['nginx']}, Redis {machine['redis']}, {machine['wrk']}.")
    out(f"Load: wrk -t{machine['threads']} -c{machine['connections']}, {machine['rounds']} interleaved rounds of "
        f"{machine['duration']} s per scenario (after a {machine['warmup']} s warm-up each); everything on this one "
        f"machine over loopback: nginx (2 workers) → 2 gateway instances (Release) → demo provider, Redis, legacy "
        f"app (gunicorn, {machine['legacy_workers']} sync workers); the OpenResty peer (1 worker) → the same Redis "
        f"and provider. GC: {machine['gc']}.")
    out(f"Configuration as shipped: Gateway/appsettings.json (log level {machine['log_level']}) and yarp.json, "
        f"policy legacy-sms with its caps and the sms-per-ip rate limiter (send interval {machine['interval']} s, "
        f"code lifetime {machine['lifetime']} s). Raised for one load generator on one IP, by command-line "
        f"overrides: " + ", ".join(f"`{o.lstrip('-')}`" for o in machine["overrides"]
                                    if o.startswith(("--SmsCodeGate:Policies:legacy-sms:", "--ClientRateLimiting:"))) + ". "
        f"Other overrides add the bench's policies and routes (bench-nocaps, bench-audit, plain-codes).")
    out("")
    out("| scenario | req/s (median) | p50 ms | p99 ms | req/s per round | Redis scripts / req | Redis cmds / req | "
        "Redis µs / script | audit |")
    out("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for scenario in SCENARIOS:
        if scenario not in by:
            continue
        audit_ok = all(r["audit"]["ok"] for r in by[scenario])
        usec = median(scenario, "redis_usec_per_script")
        out(f"| **{scenario}**: {SCENARIOS[scenario]} | {_fmt(median(scenario, 'rps'))} | "
            f"{median(scenario, 'p50_ms'):.2f} | {median(scenario, 'p99_ms'):.2f} | "
            f"{' / '.join(_fmt(per_round(scenario)[n]['rps']) for n in rounds if n in per_round(scenario))} | "
            f"{median(scenario, 'redis_scripts_per_request'):.2f} | {median(scenario, 'redis_commands_per_request'):.2f} | "
            f"{'' if usec is None else f'{usec:.2f}'} | {'ok' if audit_ok else 'FAILED'} |")
    out("")

    out("| target | measured (median of per-round ratios) | per round | target | result | "
        "from CPU per request (without other load) |")
    out("| --- | ---: | --- | ---: | --- | ---: |")
    results = []
    for label, numerator, denominator, minimum in TARGETS:
        if numerator not in by or denominator not in by:
            continue
        value, ratios = ratio(numerator, denominator)
        passed = value >= minimum
        results.append(passed)
        top, bottom = per_round(numerator), per_round(denominator)
        # On a saturated machine req/s ≈ cores ÷ CPU per request, so the ratio of the stack's CPU per request is
        # what the req/s ratio would be with nothing else running.
        by_cpu = statistics.median(bottom[n]["stack_cpu_us_per_request"] / top[n]["stack_cpu_us_per_request"]
                                   for n in rounds if n in top and n in bottom)
        out(f"| {label} | {value:.2f} | {' / '.join(f'{x:.2f}' for x in ratios)} | ≥ {minimum:g} | "
            f"{'PASS' if passed else 'MISS'} | {by_cpu:.2f} |")
    peak = machine["peak_rss_mb"]
    rss_peak = max(peak.values())
    results.append(rss_peak <= RSS_TARGET_MB)
    out(f"| gateway peak RSS (VmHWM) | {rss_peak:.0f} MB | "
        f"{' / '.join(f'{name} {mb:.0f} MB' for name, mb in peak.items())} | ≤ {RSS_TARGET_MB} MB | "
        f"{'PASS' if rss_peak <= RSS_TARGET_MB else 'MISS'} | |")
    for label, numerator, denominator in RATIOS:
        if numerator in by and denominator in by:
            value, ratios = ratio(numerator, denominator)
            out(f"| {label} | {value:.2f} | {' / '.join(f'{x:.2f}' for x in ratios)} | | | |")
    out("")

    if "gate@half" in by and "plain@half" in by:
        out(f"Latency at a fixed load of {machine['half_rate']:,} req/s (half of plain's maximum, measured after the "
            "warm-up), median of rounds. The gate adds the difference to the same forward without it:")
        out("")
        out("| scenario | req/s achieved | p50 ms | p90 ms | p99 ms | p50 added by the gate | p99 added by the gate |")
        out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for scenario in ("plain@half", "gate@half", "peer@half"):
            if scenario not in by:
                continue
            added = ("", "")
            if scenario != "plain@half":
                added = tuple(f"{median(scenario, k) - median('plain@half', k):+.2f} ms" for k in ("p50_ms", "p99_ms"))
            out(f"| {scenario} | {_fmt(median(scenario, 'rps'))} | {median(scenario, 'p50_ms'):.2f} | "
                f"{median(scenario, 'p90_ms'):.2f} | {median(scenario, 'p99_ms'):.2f} | {added[0]} | {added[1]} |")
        out("")

    out("Capacity (median over rounds, saturation runs): CPU from /proc per request of each process, Redis's time "
        "per script call from INFO commandstats (usec / calls), Redis memory per active mobile from MEMORY USAGE "
        "of every key written for a sample of the mobiles sent to (flag, code, code state, hour and day counters).")
    out("")
    out("| path | gateway CPU µs / req | nginx CPU µs / req | Redis CPU ms / 1,000 req | Redis µs / script call | "
        "Redis bytes / active mobile | keys / mobile |")
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scenario in ("gate", "gate-nocaps", "gate-audit", "refused", "gate-direct", "plain", "plain-direct", "peer"):
        if scenario not in by:
            continue
        gateway = median_of(scenario, lambda r: r["cpu_us_per_request"].get("gateways"))
        nginx = median_of(scenario, lambda r: r["cpu_us_per_request"].get("nginx", 0)
                          + r["cpu_us_per_request"].get("peer", 0))
        redis_cpu = median_of(scenario, lambda r: r["cpu_us_per_request"].get("redis"))
        usec = median(scenario, "redis_usec_per_script")
        memory = median_of(scenario, lambda r: r["audit"].get("redis_bytes_per_mobile"))
        keys = median_of(scenario, lambda r: r["audit"].get("redis_keys_per_mobile"))
        out(f"| {scenario} | {gateway:.0f} | {nginx:.0f} | {redis_cpu:.1f} | {'' if usec is None else f'{usec:.2f}'} | "
            f"{'' if memory is None else f'{memory:,.0f}'} | {'' if keys is None else f'{keys:.1f}'} |")
    out("")

    shares = [r["other_processes_share"] for r in measured]
    worst = max(measured, key=lambda r: r["other_processes_share"])
    out(f"Other processes on the machine (not the stack, not wrk) used {statistics.median(shares) * 100:.0f}% of "
        f"its CPU in the median run, {worst['other_processes_share'] * 100:.0f}% at most ({worst['scenario']}, "
        f"round {worst['round']}: {', '.join(worst['busiest_other_processes']) or 'kernel threads'})."
        + (" Ratios from rounds with much other load are skewed; the last column does not depend on it."
           if worst["other_processes_share"] > 0.05 else ""))
    out("")

    out("Audit after every run (all rounds together): every 200 of the gate and of the peer has its code in Redis "
        "db 2, equal to the code the provider received (checked for every SMS sent, so also for requests wrk hung "
        "up on when it stopped); no mobile sent to twice within its interval; no 5xx.")
    out("")
    out("| scenario | requests | 2xx | 4xx | 5xx | socket errors / timeouts | SMS sent | codes checked | "
        "missing / wrong | sent twice in interval | audit |")
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for scenario in SCENARIOS:
        if scenario not in by:
            continue
        audits = [r["audit"] for r in by[scenario]]

        def total(key):
            return sum(a[key] for a in audits)
        problems = sorted({p for a in audits for p in a["problems"]})
        out(f"| {scenario} | {_fmt(total('requests'))} | {_fmt(total('s2xx'))} | {_fmt(total('s4xx'))} | "
            f"{_fmt(total('s5xx'))} | {total('socket_errors')} / {total('timeouts')} | {_fmt(total('sms_sent'))} | "
            f"{_fmt(total('codes_checked'))} | {total('codes_missing')} / {total('codes_mismatched')} | "
            f"{total('sms_repeated_within')} | {'ok' if not problems else 'FAILED: ' + '; '.join(problems)} |")
    out("")

    components = list(measured[0]["cpu_us_per_request"])
    kinds = list(measured[0]["machine_us_per_request"])
    out("CPU time per request in µs (median over rounds), from /proc: every process shares the 2 cores, so "
        "requests per second ≈ cores ÷ total CPU per request. Gateway user time and context switches "
        "(all threads of both instances) per request, and the machine's time by kind:")
    out("")
    out("| scenario | " + " | ".join(components) + " | **total** | machine busy | gateway user µs | "
        "gateway ctx switches | " + " | ".join(f"machine {k}" for k in kinds) + " |")
    out("| --- | " + " | ".join("---:" for _ in components) + " | ---: | ---: | ---: | ---: | "
        + " | ".join("---:" for _ in kinds) + " |")
    for scenario in SCENARIOS:
        if scenario not in by:
            continue
        runs_of = by[scenario]
        values = [statistics.median(r["cpu_us_per_request"][c] for r in runs_of) for c in components]
        busy = statistics.median(r["cpu_busy_share"] for r in runs_of)
        user = statistics.median(r["gateway_user_us_per_request"] for r in runs_of)
        switches = statistics.median(r["gateway_switches_per_request"] for r in runs_of)
        machine_kinds = [statistics.median(r["machine_us_per_request"][k] for r in runs_of) for k in kinds]
        out(f"| {scenario} | " + " | ".join(f"{v:.0f}" for v in values) + f" | **{sum(values):.0f}** | "
            f"{busy * 100:.0f}% | {user:.0f} | {switches:.1f} | " + " | ".join(f"{v:.0f}" for v in machine_kinds) + " |")
    out("")
    if args.plot:
        _plot(args.plot, by, median)
        out(f"![throughput and p99 per scenario]({os.path.basename(args.plot)})")
        out("")
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    if not all(r["audit"]["ok"] for r in measured):
        sys.exit(4)
    sys.exit(0 if all(results) else 3)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("snapshot")
    p.add_argument("--redis", type=int, required=True)
    p.add_argument("--exclude", type=int, default=0, help="a pid not to count among the others (the bench's shell)")
    p.add_argument("procs", nargs="*")
    p.set_defaults(func=snapshot)
    p = sub.add_parser("audit")
    p.add_argument("--kind", choices=["gate", "plain", "refused", "legacy"], required=True)
    p.add_argument("--provider", required=True)
    p.add_argument("--redis", type=int, required=True)
    p.add_argument("--within", type=float, required=True)
    p.add_argument("--wrk", required=True)
    p.set_defaults(func=audit)
    p = sub.add_parser("record")
    for name in ("scenario", "wrk", "before", "after", "audit", "results", "shell-stat"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--target-rps", default="")
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--tag", required=True)
    p.set_defaults(func=record)
    p = sub.add_parser("report")
    for name in ("results", "machine", "out"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--plot", help="PNG to write: throughput and p99 per scenario (matplotlib)")
    p.set_defaults(func=report)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
