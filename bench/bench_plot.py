"""The plot of the bench report: throughput at saturation, latency against load, CPU per request against load."""


def plot(path, runs, scenarios, loads):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (bars, latency, cpu) = plt.subplots(1, 3, figsize=(18, 5))
    saturated = [s for s in scenarios if s in runs.by and "@" not in s]
    colours = {"gate": "#1f77b4", "plain": "#7f7f7f", "peer": "#ff7f0e"}
    rps = [runs.median(s, "rps") for s in saturated]
    bars.bar(saturated, rps, color=[colours.get(s.split("-")[0], "#1f77b4") for s in saturated])
    bars.set_title("throughput at saturation (req/s, median of rounds)")
    for x, value in enumerate(rps):
        bars.annotate(f"{value:,.0f}", (x, value), ha="center", va="bottom", fontsize=8)
    bars.tick_params(axis="x", labelrotation=45, labelsize=8)
    bars.grid(axis="y", alpha=0.3)

    # Latency and CPU per request against the load, as a share of the gate's maximum; the saturation run of each
    # (wrk, closed loop) is the point at its own maximum.
    for name in ("plain", "gate", "peer"):
        levels = [level for level in loads if f"{name}@{level}" in runs.by]
        if not levels:
            continue
        xs = [runs.median(f"{name}@{level}", "rps") for level in levels]
        for key, style in (("p50_ms", ":"), ("p99_ms", "-"), ("p999_ms", "--")):
            latency.plot(xs, [runs.median(f"{name}@{level}", key) for level in levels], style, marker="o",
                         color=colours[name], label=f"{name} {key[:-3]}")
        cpu_xs = list(xs)
        gateway = [runs.gateway_cpu(f"{name}@{level}") for level in levels]
        machine = [runs.median_of(f"{name}@{level}", lambda r: sum(r["machine_us_per_request"].values()))
                   for level in levels]
        if name in runs.by:
            cpu_xs.append(runs.median(name, "rps"))
            gateway.append(runs.gateway_cpu(name))
            machine.append(runs.median_of(name, lambda r: sum(r["machine_us_per_request"].values())))
        cpu.plot(cpu_xs, machine, "-", marker="o", color=colours[name], label=f"{name}: machine")
        if name != "peer":
            cpu.plot(cpu_xs, gateway, "--", marker="s", color=colours[name], label=f"{name}: gateways")
    latency.set_title("latency against load (ms, open loop, median of rounds)")
    latency.set_xlabel("req/s")
    latency.set_yscale("log")
    cpu.set_title("CPU per request against load (µs; last point: saturation)")
    cpu.set_xlabel("req/s")
    for axis in (latency, cpu):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
