#!/usr/bin/python3
"""Replays an SMS-pumping attack against the whole stack and checks that the pumping rules stop it.

  bench/pumping.py [--skip-build] [--duration 60] [--attack-rate-end 80] ... (--help lists every figure)

Builds the gateway and the demo provider (Release), then starts redis-server, two demo SMS providers, two gateway
instances and nginx (the shipped deploy/nginx files) on free loopback ports, with bench/pumping-stack.sh and
tests/e2e/stack.sh's helpers. The gateways run the repository's yarp.json with bench/pumping.json laid over it (the
pumping rules on the legacy-sms policy, the spend guard raised so that it does not hide them) and a shadow twin
of that policy (its rules in Shadow mode, Redis database 3, its own provider) on /sms_codes/shadow/{mobile}/.

Real users (Poisson, a steady rate, over many blocks) send, then verify about 85% of the time, each from its own
client address; some verified earlier (remembered) and live in the attacked blocks. An attacker sends to thousands
of numbers in a few blocks, at a rate that ramps, from many client addresses, and never verifies. Each client
address is a source address of 127.0.0.0/8, so nginx puts it in X-Forwarded-For and the gateways, trusting nginx
(ForwardedHeaders:KnownProxies), count every per-IP limit against it. Every visit goes to both policies at the same
moment, so the enforcing and the shadow columns see the same traffic.

Writes bench/results/pumping.md (the table) and bench/results/pumping.png (sends per bucket by class, both modes).
Exits 0 when every target is met, 3 when one is missed, 1 on an error, 2 on bad arguments.
Run with Debian's /usr/bin/python3 (python3-matplotlib, python3-redis).
"""
import argparse
import copy
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pumping_report as report  # noqa: E402
import pumping_traffic as traffic  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POLICY, SHADOW_POLICY = "legacy-sms", "legacy-sms-shadow"
SHADOW_DATABASE = 3
SAMPLE = re.compile(r'^sms_code_gate_requests_total\{(?P<labels>[^}]*)\} (?P<value>[0-9.e+]+)', re.MULTILINE)


def arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--duration", type=float, default=60, help="seconds of traffic")
    p.add_argument("--bucket", type=float, default=5, help="seconds per bar of the picture")
    p.add_argument("--seed", type=int, default=20, help="seed of the whole schedule")
    g = p.add_argument_group("real users")
    g.add_argument("--real-rate", type=float, default=5, help="sends per second (Poisson)")
    g.add_argument("--real-blocks", type=int, default=400, help="blocks they live in (the attacked ones included)")
    g.add_argument("--verify-share", type=float, default=0.85, help="share that verify the code they got")
    g.add_argument("--verify-delay-min", type=float, default=2, help="seconds from the SMS to the verification")
    g.add_argument("--verify-delay-max", type=float, default=8)
    g.add_argument("--remembered", type=int, default=30,
                   help="users in the attacked blocks who verified before the replay and come back during it")
    g = p.add_argument_group("attacker")
    g.add_argument("--attack-start", type=float, default=10, help="seconds into the replay")
    g.add_argument("--attack-rate-start", type=float, default=2, help="sends per second at the start")
    g.add_argument("--attack-rate-end", type=float, default=80, help="sends per second at the end (linear ramp)")
    g.add_argument("--attack-blocks", type=int, default=3)
    g.add_argument("--attack-numbers", type=int, default=5000, help="numbers in its blocks, each asked once in turn")
    g.add_argument("--attack-ips", type=int, default=400, help="client addresses (residential proxies)")
    g.add_argument("--attack-denied-share", type=float, default=0.1,
                   help="share of its sends to the denied prefixes (+86170, +86171)")
    g = p.add_argument_group("policy (laid over bench/pumping.json)")
    g.add_argument("--prefix-length", type=int, default=7, help="Blocks:PrefixLength")
    g.add_argument("--min-sends", type=int, default=20, help="Blocks:MinSends")
    g.add_argument("--min-conversion", type=float, default=0.2, help="Blocks:MinConversion")
    g.add_argument("--window", default="00:10:00", help="Blocks:Window")
    g.add_argument("--block-for", default="00:15:00", help="Blocks:BlockFor")
    g.add_argument("--block-max-per-hour", type=int, help="Blocks:MaxPerHour (off unless given)")
    g.add_argument("--spend-guard", type=int, default=1000000, help="MaxSendsPerMinute of the policy")
    g.add_argument("--rules", choices=("on", "numbers", "off"), default="on",
                   help="numbers: CountryCode and Numbers only, no Blocks; off: none of them (the gate without the "
                        "pumping rules). Targets are checked with on only")
    g = p.add_argument_group("run")
    g.add_argument("--skip-build", action="store_true", help="use the Release build there is")
    g.add_argument("--keep", action="store_true", help="keep the run dir (config, logs, every request)")
    g.add_argument("--out", default=str(ROOT / "bench" / "results"), help="where pumping.md and pumping.png go")
    a = p.parse_args(argv)
    a.country_code = traffic.COUNTRY_CODE
    digits = a.prefix_length - len(a.country_code)
    problems = [
        (not 3 <= digits <= 10, "--prefix-length must leave 3 to 10 national digits after the country code"),
        (not 1 <= a.attack_blocks <= a.real_blocks, "--attack-blocks must be 1 to --real-blocks"),
        (a.remembered < 0 or a.attack_numbers < 1 or a.attack_ips < 1 or a.attack_ips > 65000,
         "--remembered >= 0, --attack-numbers >= 1, --attack-ips 1 to 65000"),
        (min(a.real_rate, a.attack_rate_start, a.attack_rate_end) < 0, "rates must be >= 0"),
        (not 0 <= a.verify_share <= 1 or not 0 <= a.attack_denied_share <= 1, "shares must be 0 to 1"),
        (not 0 <= a.attack_start < a.duration, "--attack-start must be inside --duration"),
        (not 0 < a.verify_delay_min <= a.verify_delay_max, "0 < --verify-delay-min <= --verify-delay-max"),
        (a.bucket <= 0 or a.duration > 1800, "--bucket > 0, --duration <= 1800"),
    ]
    for bad, message in problems:
        if bad:
            p.error(message)
    return a


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def merge(base, overlay):
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def gateway_config(a, redis_port, provider_port, shadow_provider_port):
    """yarp.json with bench/pumping.json over it, the arguments' figures, this run's addresses and the shadow twin."""
    config = merge(json.loads((ROOT / "yarp.json").read_text()), json.loads((ROOT / "bench/pumping.json").read_text()))
    gate = config["SmsCodeGate"]
    gate["Redis"] = f"127.0.0.1:{redis_port}"
    policy = gate["Policies"][POLICY]
    policy["MaxSendsPerMinute"] = a.spend_guard
    for key in {"off": ("CountryCode", "Numbers", "Blocks"), "numbers": ("Blocks",)}.get(a.rules, ()):
        policy.pop(key, None)
    if "CountryCode" in policy:
        policy["CountryCode"] = a.country_code
    if "Blocks" in policy:
        blocks = policy["Blocks"]
        blocks.update(PrefixLength=a.prefix_length, MinSends=a.min_sends, MinConversion=a.min_conversion,
                      Window=a.window, BlockFor=a.block_for)
        if a.block_max_per_hour is not None:
            blocks["MaxPerHour"] = a.block_max_per_hour
    shadow = gate["Policies"][SHADOW_POLICY] = copy.deepcopy(policy)
    shadow["Database"] = SHADOW_DATABASE
    for rule in ("Numbers", "Blocks"):
        if rule in shadow:
            shadow[rule]["Mode"] = "Shadow"
    proxy = config["ReverseProxy"]
    proxy["Clusters"]["sms-provider"]["Destinations"]["demo-provider"]["Address"] = f"http://127.0.0.1:{provider_port}/"
    shadow_cluster = proxy["Clusters"]["shadow-provider"] = copy.deepcopy(proxy["Clusters"]["sms-provider"])
    shadow_cluster["Destinations"] = {"demo-provider": {"Address": f"http://127.0.0.1:{shadow_provider_port}/"}}
    routes = proxy["Routes"]
    # The shadow routes get their own client rate limiters, so that a visit to both policies from one address
    # spends one token of each, not two of one.
    limiters = config["ClientRateLimiting"]["Policies"]
    for name, twin, path, metadata in (("sms-codes", "shadow-codes", "/sms_codes/shadow/{mobile}/", "SmsCodePolicy"),
                                       ("sms-verify", "shadow-verify", "/sms_codes/shadow/{mobile}/verify",
                                        "SmsVerifyEndpoint")):
        route = routes[twin] = merge(copy.deepcopy(routes[name]), {
            "ClusterId": "shadow-provider", "Match": {"Path": path}, "Metadata": {metadata: SHADOW_POLICY}})
        if "RateLimiterPolicy" in route:
            limiter = route["RateLimiterPolicy"] = "shadow-" + route["RateLimiterPolicy"]
            limiters[limiter] = copy.deepcopy(limiters[routes[name]["RateLimiterPolicy"]])
    # Nothing in this replay reaches the legacy app: its route stays, pointing at a port nobody listens on.
    config["ForwardedHeaders"]["KnownProxies"] = ["127.0.0.1"]
    return config


def scrape(ports):
    """sms_code_gate_requests_total summed over the instances: (policy, result) -> count."""
    totals = Counter()
    for port in ports:
        status, text = traffic.request(port, "GET", "/metrics", "127.0.0.1")
        if status != 200:
            raise RuntimeError(f"GET /metrics on :{port} answered {status}")
        for m in SAMPLE.finditer(text):
            labels = dict(re.findall(r'([a-z_]+)="([^"]*)"', m.group("labels")))
            totals[(labels.get("sms_code_gate_policy"), labels.get("sms_code_gate_result"))] += int(float(m.group("value")))
    return totals


def by_result(totals, policy):
    return Counter({result: n for (p, result), n in totals.items() if p == policy})


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")) / 2**20
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores ({cpu}), "
            f"{memory:.0f} GiB, {platform.system()} {platform.release()}, .NET SDK {dotnet}; load average "
            f"{os.getloadavg()[0]:.1f} at the start")


def main(argv):
    a = arguments(argv)
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="sms-pumping."))
    redis_port, provider_port, shadow_port, gw1, gw2, nginx = free_ports(6)
    config_path = run_dir / "gateway.json"
    config_path.write_text(json.dumps(gateway_config(a, redis_port, provider_port, shadow_port), indent=2))
    about = machine()
    print(f"==> {about}\n==> run dir {run_dir}; gateway config {config_path}", flush=True)
    stack = subprocess.Popen(
        ["bash", str(ROOT / "bench/pumping-stack.sh"), str(run_dir), str(config_path), "0" if a.skip_build else "1",
         *map(str, (redis_port, provider_port, shadow_port, gw1, gw2, nginx))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ok = False
    try:
        for line in stack.stdout:
            if line.strip() == "READY":
                break
            print(line, end="", flush=True)
        else:
            print("!! the stack did not start", file=sys.stderr)
            return 1
        print(f"==> stack up after {time.monotonic() - started:.0f} s: nginx :{nginx}, gateways :{gw1} :{gw2}", flush=True)
        code = replay(a, run_dir, about, started, redis_port, nginx, (gw1, gw2), provider_port, shadow_port)
        ok = code in (0, 3)
        return code
    finally:
        stack.stdin.close()
        stack.wait(timeout=120)
        if ok and not a.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            print(f"run dir kept: {run_dir}")


def replay(a, run_dir, about, started, redis_port, nginx, gateways, provider_port, shadow_port):
    import redis

    phases = [traffic.Phase("enforce", "/sms_codes/{mobile}/", "/sms_codes/{mobile}/verify", provider_port),
              traffic.Phase("shadow", "/sms_codes/shadow/{mobile}/", "/sms_codes/shadow/{mobile}/verify", shadow_port)]
    plan = traffic.make_plan(a)
    run = traffic.Replay(plan, phases, nginx, a)
    policy = json.loads((run_dir / "gateway.json").read_text())["SmsCodeGate"]["Policies"][POLICY]
    blocks = policy.get("Blocks", {})
    # The gate's key templates, as configured (the Blocks defaults are the library's).
    block_templates = [blocks.get("CounterKey", "sms_block_{block}"), blocks.get("HourCounterKey", "sms_block_hour_{block}")]

    def forget(mobiles, block_ids):
        keys = [policy["SendFlagKey"].replace("{mobile}", m) for m in mobiles]
        keys += [t.replace("{block}", b) for t in block_templates for b in block_ids]
        for database in (policy["Database"], SHADOW_DATABASE):
            if keys:
                redis.Redis(port=redis_port, db=database).delete(*keys)

    print(f"==> history: {len(plan.remembered)} users verify before the replay", flush=True)
    run.history(forget)
    print(f"==> replay: {a.duration:.0f} s, {len(plan.real_sends)} real sends, {len(plan.attack_sends)} attack sends,"
          f" twice (enforce, shadow)", flush=True)
    series, last = [], [0]

    def tick(t):
        counted = sum(scrape(gateways)[(SHADOW_POLICY, "shadow_" + r)] for r in report.RULE_RESULTS)
        series.append((t - a.bucket, counted - last[0]))
        last[0] = counted
        print(f"    {t:4.0f} s", flush=True)

    run.run(on_tick=tick, tick=a.bucket)
    totals = scrape(gateways)
    (run_dir / "requests.jsonl").write_text("".join(json.dumps(r.__dict__) + "\n" for r in run.records))
    attacked = [a.country_code + prefix for prefix in plan.attacked]  # E.164 digits, as the records name blocks
    blocked_key = blocks.get("BlockedKey", "sms_blocked_{block}")

    def blocked(database):
        client = redis.Redis(port=redis_port, db=database, decode_responses=True)
        return {b: client.hgetall(blocked_key.replace("{block}", b)) for b in attacked}

    enforce = report.summarise("enforce", run.records, attacked, a.min_sends, by_result(totals, POLICY),
                               blocked(policy["Database"]))
    shadow = report.summarise("shadow", run.records, attacked, a.min_sends, by_result(totals, SHADOW_POLICY),
                              blocked(SHADOW_DATABASE))
    rows = report.targets(enforce, shadow, a) if a.rules == "on" else []
    about += f", {os.getloadavg()[0]:.1f} at the end (the machine's other work included)"
    text = report.markdown(enforce, shadow, rows, a, about, time.monotonic() - started, len(run.remembered_ok))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "pumping.md").write_text(text)
    report.plot(out / "pumping.png", run.records, [p.name for p in phases], series, a.bucket, a.duration)
    print(text)
    if a.rules != "on":
        print(f"rules {a.rules}: no target checked")
        return 0
    return 0 if all(met for *_, met in rows) else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
