"""The accounting of bench/pumping.py: what each class of traffic got, the targets, the table and the picture."""
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

RULE_RESULTS = ("number_refused", "block_refused")


@dataclass
class BlockStory:
    """One attacked block under the enforcing policy."""
    block: str
    reached_min_sends: float = None  # when its accepted sends (every class) reached MinSends
    blocked_at: float = None  # its first 403
    sent_before_blocked: int = 0  # every class, answered 200, started before the first 403
    gate_counts: str = "–"  # the block's sends and verifications when the gate blocked it (its blocked key)
    attack_sent: int = 0
    attack_after_min: int = 0
    attack_refused_after_min: int = 0


@dataclass
class PhaseSummary:
    """What the replay saw on one policy, from the answers (per request) and from the metrics (per result)."""
    name: str
    counts: Counter = field(default_factory=Counter)  # (class, outcome) -> sends
    statuses: Counter = field(default_factory=Counter)  # (class, status) -> sends
    metrics: Counter = field(default_factory=Counter)  # result -> requests, summed over the instances
    blocks: list = field(default_factory=list)
    remembered_returns: int = 0
    remembered_in_blocked: int = 0
    remembered_in_blocked_sent: int = 0
    remembered_refused_403: int = 0
    real_sends: int = 0
    real_refused: int = 0  # answered 4xx
    real_failed: int = 0  # answered 5xx, or not at all
    collateral: int = 0  # real users (not remembered) refused 403 in an attacked block

    def conversion(self):
        sent = self.metrics["issued"]
        verified = self.metrics["verified"] + self.metrics["verify_app_accepted"]
        return verified / sent if sent else 0.0


def klass(record):
    return "attack" if record.who == "attack" else "real"


def summarise(name, records, attacked, min_sends, metrics, blocked):
    """Accounts one phase's records (history visits before the timeline included, plotted nowhere); blocked maps a
    block to the counts its blocked key holds."""
    summary = PhaseSummary(name, metrics=metrics)
    sends = sorted((r for r in records if r.phase == name and r.kind == "send"),
                   key=lambda r: (r.who != "history", r.start))
    live = [r for r in sends if r.who != "history"]
    for r in records:
        if r.phase == name and r.kind == "verify" and r.who != "history":
            summary.counts[("verify", "accepted" if r.status == 200 else "refused")] += 1
    for r in live:
        summary.counts[(klass(r), "sent" if r.status == 200 else "refused")] += 1
        summary.statuses[(klass(r), r.status)] += 1
    stories = {}
    for block in attacked:
        story = BlockStory(block)
        if blocked.get(block):
            story.gate_counts = f"{blocked[block].get('sends', '?')} / {blocked[block].get('verified', '?')}"
        accepted = 0
        # The history visits are left out: the replay removed their blocks' window counters (days passed).
        for r in (r for r in live if r.block == block):
            if r.status == 403 and story.blocked_at is None:
                story.blocked_at = r.start
            if story.blocked_at is None and r.status == 200:
                story.sent_before_blocked += 1
            if r.who == "attack":
                story.attack_sent += r.status == 200
                if story.reached_min_sends is not None:
                    story.attack_after_min += 1
                    story.attack_refused_after_min += r.status != 200
            if r.status == 200:
                accepted += 1
                if accepted == min_sends and story.reached_min_sends is None:
                    story.reached_min_sends = r.start
        stories[block] = story
    summary.blocks = [stories[b] for b in attacked]
    for r in live:
        if r.who == "attack":
            continue
        summary.real_sends += 1
        # Refused: a 4xx, a rule's answer. A 5xx or no answer is the machine failing, counted apart.
        summary.real_refused += 400 <= r.status < 500
        summary.real_failed += r.status >= 500 or r.status == 0
        story = stories.get(r.block)
        if r.who == "remembered":
            summary.remembered_returns += 1
            summary.remembered_refused_403 += r.status == 403
            if story and story.blocked_at is not None and r.start > story.blocked_at:
                summary.remembered_in_blocked += 1
                summary.remembered_in_blocked_sent += r.status == 200
        elif story and r.status == 403:
            summary.collateral += 1
    return summary


def targets(enforce, shadow, args):
    """(label, measured, target, met) rows; measured is a display string."""
    after = sum(b.attack_after_min for b in enforce.blocks)
    refused_after = sum(b.attack_refused_after_min for b in enforce.blocks)
    share = refused_after / after if after else 0.0
    real_share = enforce.real_refused / enforce.real_sends if enforce.real_sends else 0.0
    shadow_refused = shadow.statuses[("attack", 403)] + shadow.statuses[("real", 403)]
    counted = sum(shadow.metrics["shadow_" + r] for r in RULE_RESULTS)
    return [
        (f"attack sends refused once a block passed MinSends ({args.min_sends})",
         f"{share:.1%} ({refused_after:,} of {after:,})", "≥ 95%", after > 0 and share >= 0.95),
        ("real users refused (any 4xx: every rule, not only the pumping ones)",
         f"{real_share:.2%} ({enforce.real_refused} of {enforce.real_sends:,})",
         "≤ 1%", real_share <= 0.01),
        ("remembered real users refused 403", f"{enforce.remembered_refused_403} of {enforce.remembered_returns}",
         "0", enforce.remembered_refused_403 == 0),
        ("shadow mode: refused by a rule / counted by the metrics", f"{shadow_refused} / {counted:,}",
         "0 / > 0", shadow_refused == 0 and counted > 0),
    ]


def _row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(enforce, shadow, rows, args, machine, elapsed, remembered_ok=None):
    """The report: the run's figures, per attacked block, both modes side by side, and the targets."""
    out = [f"# SMS pumping replay (bench/pumping.py)", "",
           f"{machine}", "",
           f"Replay: {args.duration:.0f} s; real users {args.real_rate:g}/s over {args.real_blocks} blocks, "
           f"{args.verify_share:.0%} verify; {args.remembered} remembered users in the attacked blocks; attacker "
           f"from {args.attack_start:.0f} s, {args.attack_rate_start:g}→{args.attack_rate_end:g} sends/s, "
           f"{args.attack_numbers:,} numbers in {args.attack_blocks} blocks ({args.attack_denied_share:.0%} of its "
           f"sends to denied prefixes), {args.attack_ips} client addresses, never verifying. Policy: "
           f"`Blocks:PrefixLength` {args.prefix_length}, `MinSends` {args.min_sends}, `MinConversion` "
           f"{args.min_conversion:g}, `Window` {args.window}, `BlockFor` {args.block_for}; seed {args.seed}; "
           f"wall time {elapsed:.0f} s."
           + (f" Remembered users whose earlier visit verified: {remembered_ok} of {2 * args.remembered} (both "
              "policies; the others count as real users)." if remembered_ok is not None else ""), "",
           "| | enforce | shadow |", "| --- | ---: | ---: |"]
    for label, key in (("real sends answered 200", ("real", "sent")),
                       ("real sends answered otherwise", ("real", "refused")),
                       ("attack sends answered 200 (SMS paid)", ("attack", "sent")),
                       ("attack sends answered otherwise", ("attack", "refused")),
                       ("real verifications answered 200", ("verify", "accepted")),
                       ("real verifications answered otherwise", ("verify", "refused"))):
        out.append(_row(label, f"{enforce.counts[key]:,}", f"{shadow.counts[key]:,}"))
    for result in RULE_RESULTS:
        out.append(_row(f"metrics: `{result}` / `shadow_{result}`", f"{enforce.metrics[result]:,}",
                        f"{shadow.metrics['shadow_' + result]:,}"))
    out.append(_row("metrics: conversion (verified ÷ issued)", f"{enforce.conversion():.1%}",
                    f"{shadow.conversion():.1%}"))
    out.append(_row("remembered users back after their block was blocked: got their code",
                    f"{enforce.remembered_in_blocked_sent} of {enforce.remembered_in_blocked}", "–"))
    out.append(_row("real users (not remembered) refused 403 in an attacked block", enforce.collateral, "–"))
    out.append(_row("real sends failed (5xx or no answer: the machine, not a rule)", enforce.real_failed,
                    shadow.real_failed))
    def refusals(summary):
        found = sorted((c, s, n) for (c, s), n in summary.statuses.items() if s != 200)
        return "; ".join(f"{c} {s or 'no answer'} ×{n:,}" for c, s, n in found) or "none"

    out.append(_row("refusals by class and status", refusals(enforce), refusals(shadow)))
    out += ["", "Attacked blocks (enforce):", "",
            "| block | MinSends reached at | first 403 at | sends / verifications when blocked (gate) | "
            "SMS sent before the first 403 (all) | attack SMS sent | attack sends after MinSends, refused |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for b in enforce.blocks:
        out.append(_row(f"+{b.block}", _time(b.reached_min_sends), _time(b.blocked_at), b.gate_counts,
                        b.sent_before_blocked, b.attack_sent, f"{b.attack_refused_after_min:,} of {b.attack_after_min:,}"))
    out += ["", "Times are seconds into the replay, by when each request started; requests overlap, so the sends "
            "counted by the gate when it blocked a block (its blocked key) are the exact figure.", "",
            "| target | measured | target | result |", "| --- | ---: | ---: | --- |"]
    for label, measured, target, met in rows:
        out.append(_row(label, measured, target, "PASS" if met else "MISS"))
    return "\n".join(out) + "\n"


def _time(t):
    return "never" if t is None else ("before the replay" if t < 0 else f"{t:.1f} s")


def plot(path, records, phases, shadow_series, bucket, duration):
    """Sends per bucket by class (real/attack × sent/refused), one panel per phase; the shadow panel also draws
    what its rules counted as refused (metrics)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(1, math.ceil(duration / bucket))
    classes = [("real", "sent", "#2ca02c"), ("real", "refused", "#d62728"),
               ("attack", "sent", "#ff7f0e"), ("attack", "refused", "#7f7f7f")]
    fig, axes = plt.subplots(1, len(phases), figsize=(13, 4.6), sharey=True)
    for axis, phase in zip(axes, phases):
        counts = defaultdict(lambda: [0] * n)
        for r in records:
            if r.phase == phase and r.kind == "send" and r.who != "history":
                # A send the loaded machine started a little after the end goes into the last bar.
                counts[(klass(r), "sent" if r.status == 200 else "refused")][min(int(r.start // bucket), n - 1)] += 1
        x = [i * bucket for i in range(n)]
        bottom = [0] * n
        for who, outcome, colour in classes:
            values = counts[(who, outcome)]
            axis.bar(x, values, width=bucket * 0.9, bottom=bottom, align="edge", color=colour,
                     label=f"{who} {outcome}")
            bottom = [b + v for b, v in zip(bottom, values)]
        series = [(t, v) for t, v in shadow_series if t < n * bucket]  # the last scrape, after the end, left out
        if phase == "shadow" and series:
            axis.step([t for t, _ in series] + [n * bucket], [v for _, v in series] + [series[-1][1]], where="post",
                      color="black",
                      label="would have refused (shadow_*, metrics)")
        axis.set_title(f"{phase}: sends per {bucket:g} s")
        axis.set_xlabel("seconds")
        axis.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    axes[-1].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
