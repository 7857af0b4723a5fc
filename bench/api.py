"""The REST API under load: the balance and charges endpoints through a real server, 20 clients.

    python bench/api.py [--database URL] [--clients 20] [--seconds 30] [--workers 2] [--threads 8]

The database (default: the 1.5 M-account region ``raschet_gen_1500k`` on 127.0.0.1) must hold a
posted month. The bench adds one user holding ``housing.view_account`` (``api-bench``) and a token
per client — the rows it writes, removed again at the end; nothing else is written. It starts
gunicorn (``--workers`` processes × ``--threads`` threads) on 127.0.0.1, and ``--clients`` threads
each send, over their own keep-alive connection with their own token, requests for random accounts
in turn (at once, or after a random pause of mean ``--think`` ms, as people at screens do): ``GET /accounts/N/balances`` (the default twelve periods, clipped to the months the ledger
holds) and ``GET /accounts/N/charges`` (the lines of the latest posted month with their explanation).

Printed per endpoint: requests, errors, p50 / p95 / p99 / max in ms and requests per second; the
target is p95 ≤ 100 ms. Also the server's CPU per request, which depends less on the machine's load. The machine is shared: the figures depend on what else runs (the load
average is printed before and after).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/raschet_gen_1500k"
ENDPOINTS = ("balances", "charges")
LOGIN = "api-bench"


def _django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "raschet.web.settings"
    os.environ["RASCHET_DATABASE_URL"] = url
    import django

    django.setup()


def prepare(clients: int, sample: int) -> tuple[list[str], list[str], str]:
    """Tokens of the bench user, a random sample of account numbers, the latest posted period."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from raschet.api.models import ApiToken
    from raschet.billing.models import BillingPeriod

    posted = BillingPeriod.objects.filter(state__in=("posted", "closed")).order_by("-period").first()
    if posted is None:
        sys.exit("В базе нет проведённого периода: рассчитайте и проведите месяц (raschet calc, raschet period post).")
    user, _ = get_user_model().objects.get_or_create(username=LOGIN)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="housing", codename="view_account"))
    tokens = [ApiToken.issue(user, "bench/api.py")[1] for _ in range(clients)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM housing_account")
        top = cursor.fetchone()[0]
        ids = random.Random(7).sample(range(1, top + 1), min(sample * 2, top))
        cursor.execute("SELECT number FROM housing_account WHERE id = ANY(%s)", [ids])
        numbers = [row[0] for row in cursor.fetchall()][:sample]
    return tokens, numbers, posted.period


def cleanup() -> None:
    from django.contrib.auth import get_user_model

    from raschet.api.models import ApiToken

    ApiToken.objects.filter(user__username=LOGIN).delete()
    get_user_model().objects.filter(username=LOGIN).delete()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# the application and its URLs (every app's API router) loaded once, before the workers are forked, so
# no worker spends its first requests importing; no database connection is opened before the fork
GUNICORN_CONFIG = """
preload_app = True


def when_ready(server):
    from django.urls import get_resolver

    get_resolver().url_patterns
"""


def start_server(url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "RASCHET_DATABASE_URL": url, "RASCHET_API_RATE": "1000000/m", "RASCHET_SSL_REDIRECT": "0",
           "RASCHET_DEBUG": "0", "RASCHET_ALLOWED_HOSTS": "127.0.0.1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    config = Path(tempfile.mkdtemp()) / "gunicorn_conf.py"
    config.write_text(GUNICORN_CONFIG, encoding="utf-8")
    server = subprocess.Popen([str(gunicorn), "raschet.web.wsgi:application", "-c", str(config),
                               "-b", f"127.0.0.1:{port}", "-k", "gthread", "-w", str(workers), "--threads", str(threads),
                               "--keep-alive", "30", "--log-level", "warning"], env=env, cwd=ROOT)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("Сервер не запустился за 60 с.")


class Client(threading.Thread):
    """One client: its own connection and token, endpoints in turn, random accounts."""

    def __init__(self, port: int, token: str, numbers: list[str], seed: int, until: float, warm: float,
                 think: float = 0.0):
        super().__init__(daemon=True)
        self.port, self.token, self.numbers, self.think = port, token, numbers, think
        self.random, self.until, self.warm = random.Random(seed), until, warm
        self.times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        self.errors: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Host": "127.0.0.1"}
        turn = self.random.randrange(2)
        while time.monotonic() < self.until:
            name = ENDPOINTS[turn % 2]
            turn += 1
            path = f"/api/v1/accounts/{self.random.choice(self.numbers)}/{name}"
            started = time.monotonic()
            try:
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                ok = False
            if started >= self.warm:
                self.times[name].append((time.monotonic() - started) * 1000)
                self.errors[name] += not ok
            if self.think:
                time.sleep(self.random.expovariate(1 / self.think))
        connection.close()


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds (user + system) of the server's processes so far (Linux /proc)."""
    pids = [server.pid]
    for task in Path(f"/proc/{server.pid}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(clients: list[Client], seconds: float) -> bool:
    met = True
    print(f"{'endpoint':<10} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'req/s':>6}")
    for name in ENDPOINTS:
        times = [t for c in clients for t in c.times[name]]
        errors = sum(c.errors[name] for c in clients)
        if not times:
            print(f"{name:<10} no answer inside the timed window")
            met = False
            continue
        p95 = percentile(times, 0.95)
        met = met and p95 <= 100 and errors == 0
        print(f"{name:<10} {len(times):>8} {errors:>6} {statistics.median(times):>7.1f} {p95:>7.1f} "
              f"{percentile(times, 0.99):>7.1f} {max(times):>7.1f} {len(times) / seconds:>6.1f}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("RASCHET_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=20, help="seconds before timing (a cold worker's first "
                        "requests build the schema and warm the caches)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=5000, help="random accounts to ask for")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause of a client between its requests, ms (0: each asks again at once)")
    args = parser.parse_args()
    _django(args.database)
    tokens, numbers, period = prepare(args.clients, args.accounts)
    port = free_port()
    server = start_server(args.database, port, args.workers, args.threads)
    try:
        print(f"{args.database.rsplit('/', 1)[-1]}: {len(numbers)} random accounts, charges of {period}; "
              f"gunicorn {args.workers}×{args.threads} threads, {args.clients} clients (think {args.think:.0f} ms), "
              f"{args.seconds:.0f} s "
              f"after {args.warmup:.0f} s warm-up; load average {os.getloadavg()[0]:.1f}")
        start = time.monotonic()
        cpu_before: list[float] = []
        threading.Timer(args.warmup, lambda: cpu_before.append(server_cpu(server))).start()
        clients = [Client(port, tokens[i], numbers, i, start + args.warmup + args.seconds, start + args.warmup,
                          args.think / 1000) for i in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        cpu = server_cpu(server) - cpu_before[0]
        met = report(clients, args.seconds)
        served = sum(len(c.times[name]) for c in clients for name in ENDPOINTS)
        print(f"server (gunicorn) CPU: {cpu:.1f} s, {cpu * 1000 / max(served, 1):.1f} ms per request "
              "(PostgreSQL's not counted)")
        print(f"load average after: {os.getloadavg()[0]:.1f}; target p95 ≤ 100 ms: {'met' if met else 'NOT met'}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        cleanup()


if __name__ == "__main__":
    main()
