"""The snapshot of bench/bench.py: Redis command counts, and CPU ticks, RSS, threads and context switches of each
process tree of the stack, of everything else on the machine, and of the machine as a whole."""
import json
import os
import sys

import redis


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
