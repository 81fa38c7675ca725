"""The traffic of bench/pumping.py: real users and an SMS-pumping attacker, replayed against both policies at once.

Every visit is made twice, at the same moment and from the same client address: once on the enforcing policy's
routes, once on the shadow policy's (its twin in another Redis database, with its own demo provider). So the two
columns of the report see the same traffic.
"""
import heapq
import http.client
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

# The replay's numbers are Chinese mobiles, as the legacy-sms policy's MobilePattern wants: CountryCode 86.
COUNTRY_CODE = "86"
# National mobile ranges (CN) whose every number libphonenumber reads as a mobile: real users and the attacked blocks
# come from these. 170 and 171 are virtual-operator ranges, which the replay's number rules deny.
MOBILE_RANGES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                 "156", "157", "158", "159", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189"]
DENIED_RANGES = ["170", "171"]


@dataclass(frozen=True)
class Phase:
    """One policy the traffic is replayed against: where its routes are and which provider it sends through."""
    name: str
    send_path: str  # format string with {mobile}
    verify_path: str
    provider_port: int  # its demo provider, on 127.0.0.1


@dataclass
class Record:
    """One request: who made it, to which phase, and how it was answered."""
    phase: str
    who: str  # real, remembered, history, attack
    kind: str  # send, verify
    mobile: str
    block: str
    start: float  # seconds since the timeline's start
    end: float
    status: int  # 0: no answer (connection error, timeout)
    body: str = ""


@dataclass
class Plan:
    """Everything decided before the first request, from the seed: blocks, users, the attacker's schedule."""
    real_blocks: list  # national prefixes: a block is the country code and one of these
    attacked: list
    real_sends: list = field(default_factory=list)  # (t, mobile, ip, verifies, delay)
    remembered: list = field(default_factory=list)  # (mobile, ip, return_t, verifies, delay)
    attack_sends: list = field(default_factory=list)  # (t, mobile, ip)


def block_of(mobile, country_code, prefix_length):
    """The number block of a national mobile: the first prefix_length digits of its E.164 form."""
    return (country_code + mobile)[:prefix_length]


def _poisson_times(rng, rate_at, start, end, peak):
    """Arrival times of a Poisson process of rate rate_at(t) <= peak on [start, end) (thinning)."""
    times, t = [], start
    while peak > 0:
        t += rng.expovariate(peak)
        if t >= end:
            return times
        if rng.random() * peak < rate_at(t):
            times.append(t)
    return times


def make_plan(a):
    """The replay's schedule from the arguments (see pumping.py): deterministic for a seed."""
    rng = random.Random(a.seed)
    digits = a.prefix_length - len(a.country_code)  # national digits that name a block
    used = set()

    def fresh(prefix):
        while True:
            mobile = prefix + "".join(rng.choice("0123456789") for _ in range(11 - len(prefix)))
            if mobile not in used:
                used.add(mobile)
                return mobile

    blocks = set()
    while len(blocks) < a.real_blocks:
        blocks.add(rng.choice(MOBILE_RANGES) + "".join(rng.choice("0123456789") for _ in range(digits - 3)))
    real_blocks = sorted(blocks)
    rng.shuffle(real_blocks)
    # The attacked blocks are blocks where real users live too.
    plan = Plan(real_blocks=real_blocks, attacked=real_blocks[:a.attack_blocks])
    ips = iter(f"127.{1 + i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(1, 10**7))

    def delay():
        return rng.uniform(a.verify_delay_min, a.verify_delay_max)

    for t in _poisson_times(rng, lambda _: a.real_rate, 0.0, a.duration, a.real_rate):
        plan.real_sends.append((t, fresh(rng.choice(real_blocks)), next(ips), rng.random() < a.verify_share, delay()))
    for i in range(a.remembered):
        return_t = rng.uniform(a.attack_start, a.duration)
        plan.remembered.append((fresh(plan.attacked[i % len(plan.attacked)]), next(ips), return_t,
                                rng.random() < a.verify_share, delay()))
    # The attacker: a rate that ramps linearly, many addresses (residential proxies), numbers asked once each.
    attack_ips = [f"127.200.{i // 256 % 256}.{i % 256}" for i in range(1, a.attack_ips + 1)]
    span = max(a.duration - a.attack_start, 1e-9)

    def attack_rate(t):
        return a.attack_rate_start + (a.attack_rate_end - a.attack_rate_start) * (t - a.attack_start) / span

    peak = max(a.attack_rate_start, a.attack_rate_end)
    pool = [fresh(plan.attacked[i % len(plan.attacked)]) for i in range(a.attack_numbers)]
    rng.shuffle(pool)
    for i, t in enumerate(_poisson_times(rng, attack_rate, a.attack_start, a.duration, peak)):
        if rng.random() < a.attack_denied_share:
            mobile = fresh(rng.choice(DENIED_RANGES) + str(rng.randrange(10)))
        else:
            mobile = pool[i % len(pool)]  # a number asked again once the pool is spent
        plan.attack_sends.append((t, mobile, rng.choice(attack_ips)))
    return plan


def request(port, method, path, ip, body=None, timeout=10.0):
    """One HTTP request to 127.0.0.1:port from the source address ip: (status, body); status 0 if unanswered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(ip, 0))
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError as error:
        return 0, f"{type(error).__name__}: {error}"
    finally:
        connection.close()


class Replay:
    """Runs a plan against the phases through nginx, on a timeline, and keeps a record of every request."""

    def __init__(self, plan, phases, nginx_port, args, workers=96):
        self.plan, self.phases, self.port, self.args = plan, phases, nginx_port, args
        self.records = []
        self._lock = threading.Condition()
        self._heap = []
        self._sequence = 0
        self._pending = 0
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._t0 = None
        self.remembered_ok = set()  # (phase, mobile) whose earlier visit verified

    def _block(self, mobile):
        return block_of(mobile, self.args.country_code, self.args.prefix_length)

    def _now(self):
        return time.monotonic() - self._t0

    def _at(self, t, fn, *fn_args):
        with self._lock:
            heapq.heappush(self._heap, (t, self._sequence, fn, fn_args))
            self._sequence += 1
            self._pending += 1
            self._lock.notify()

    def _call(self, phase, who, kind, mobile, ip, method, path, body=None):
        start = self._now()
        status, text = request(self.port, method, path, ip, body)
        self.records.append(Record(phase.name, who, kind, mobile, self._block(mobile), start, self._now(), status,
                                   text if status != 200 else ""))
        return status

    def send(self, phase, who, mobile, ip, verifies=False, delay=0.0):
        status = self._call(phase, who, "send", mobile, ip, "GET", phase.send_path.format(mobile=mobile))
        if status == 200 and verifies:
            self._at(self._now() + delay, self.verify, phase, who, mobile, ip)
        return status

    def verify(self, phase, who, mobile, ip):
        # The code as the real user reads it: from the SMS its phase's provider was asked to send.
        status, text = request(phase.provider_port, "GET", f"/sent?mobile={mobile}", "127.0.0.1")
        codes = json.loads(text) if status == 200 else []
        if codes:
            return self._call(phase, who, "verify", mobile, ip, "POST", phase.verify_path.format(mobile=mobile),
                              {"code": codes[-1]["code"]})
        return None

    def history(self, forget):
        """The remembered users' earlier visit: send, then verify, before the timeline starts. Then forget(mobiles,
        blocks) removes what would have expired between that visit and this replay (days): their send flags and
        their blocks' window counters. What they earned stays: the gate remembers that they verified."""
        self._t0 = time.monotonic()
        # A few at a time, and retried: on a loaded machine a burst of them can meet a store timeout (503), and a
        # user whose earlier visit did not verify is not remembered.
        with ThreadPoolExecutor(max_workers=8) as pool:
            done = list(pool.map(lambda job: (job, self._history_one(*job)),
                                 [(phase, mobile, ip) for mobile, ip, *_ in self.plan.remembered for phase in self.phases]))
        self.remembered_ok = {(phase.name, mobile) for (phase, mobile, _), ok in done if ok}
        mobiles = [mobile for mobile, *_ in self.plan.remembered]
        forget(mobiles, sorted({self._block(mobile) for mobile in mobiles}))

    def _history_one(self, phase, mobile, ip, attempts=5):
        for attempt in range(attempts):
            # 400: an earlier attempt's send did run (its answer was lost); its code is at the provider.
            if self._call(phase, "history", "send", mobile, ip, "GET", phase.send_path.format(mobile=mobile)) in (200, 400) \
                    and self.verify(phase, "history", mobile, ip) == 200:
                return True
            time.sleep(0.5 * (attempt + 1))
        return False

    def run(self, on_tick=None, tick=5.0):
        """Replays the plan; on_tick(t) runs every tick seconds (a metrics scrape). Returns when every request,
        verifications included, has been answered."""
        for t, mobile, ip, verifies, delay in self.plan.real_sends:
            for phase in self.phases:
                self._at(t, self.send, phase, "real", mobile, ip, verifies, delay)
        for mobile, ip, t, verifies, delay in self.plan.remembered:
            for phase in self.phases:
                # One whose earlier visit never verified is not remembered: a real user in an attacked block.
                who = "remembered" if (phase.name, mobile) in self.remembered_ok else "real"
                self._at(t, self.send, phase, who, mobile, ip, verifies, delay)
        for t, mobile, ip in self.plan.attack_sends:
            for phase in self.phases:
                self._at(t, self.send, phase, "attack", mobile, ip)
        self._t0 = time.monotonic()
        next_tick = tick
        deadline = self.args.duration + self.args.verify_delay_max + 60
        while True:
            with self._lock:
                while self._heap and self._heap[0][0] <= self._now():
                    t, _, fn, fn_args = heapq.heappop(self._heap)
                    self._pool.submit(self._run_one, fn, fn_args)
                if self._pending == 0:
                    break
                wait = min(self._heap[0][0] if self._heap else next_tick, next_tick) - self._now()
                self._lock.wait(timeout=max(0.0, min(wait, 0.5)))
            if on_tick and self._now() >= next_tick:
                on_tick(next_tick)
                next_tick += tick
            if self._now() > deadline:
                raise TimeoutError("the replay did not finish its requests in time")
        self._pool.shutdown(wait=True)
        return self._now()

    def _run_one(self, fn, fn_args):
        try:
            fn(*fn_args)
        finally:
            with self._lock:
                self._pending -= 1
                self._lock.notify()

