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
import sys
import urllib.request

import redis

from bench_report import report
from bench_snapshot import snapshot

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Redis commands that run a script (the gate's issue call, the peer's EVALSHA).
SCRIPT_COMMANDS = ("evalsha", "eval", "fcall", "evalsha_ro", "fcall_ro")

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
        "p999_ms": wrk.get("p999_ms"), "late_p99_ms": wrk.get("late_p99_ms"), "max_ms": wrk["max_ms"],
        "requests": wrk["requests"], "generator": "loadgen" if "generator" in wrk else "wrk",
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
