"""Benchmark: the operator's search box and account card through the real server (Waitress).

    RASCHET_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/raschet_gen_1500k \\
        .venv/bin/python bench/pages.py [--requests 200] [--port 8791] [--seed 1]

Starts ``raschet serve`` on the database named by ``RASCHET_DATABASE_URL`` (migrated, with the search
index built: ``raschet search reindex --missing``), signs in as a bench user (created if missing),
then asks, one request at a time, searches of real accounts typed as operators type them — a
lower-case address with the flat («огородная 2 6»), a surname, a phone, an account number — and
account cards with one month opened. Prints p50 / p95 / max per kind, in milliseconds, measured
at the client on the loopback (so an upper bound of the server's time); the target is p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parents[1]
BENCH_USER = ("bench-pages", "bench-pages-password-1")
CPU: dict[str, list[float]] = {}  # the server process's CPU milliseconds per request, by kind


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    import django

    django.setup()


def _bench_user() -> None:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    user = model.objects.filter(username=BENCH_USER[0]).first() or model(username=BENCH_USER[0], is_staff=True,
                                                                         is_superuser=True)
    user.set_password(BENCH_USER[1])
    user.save()


def _samples(count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, query or account number) for ``count`` random accounts."""
    from django.db import connection

    from raschet.workplace.search import normalise

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM housing_account")
        low, high = cursor.fetchone()
        ids = [rng.randint(low, high) for _ in range(count)]
        cursor.execute("SELECT a.number, a.payer, a.phone, b.address, p.number FROM housing_account a "
                       "JOIN housing_premises p ON p.id = a.premises_id JOIN housing_building b ON b.id = p.building_id "
                       "WHERE a.id = ANY(%s)", [ids])
        rows = cursor.fetchall()
    samples = []
    for number, payer, phone, address, flat in rows:
        street = " ".join(normalise(address)[1:])  # without the town, as an operator types it
        samples += [("search: address", f"{street} {flat}".lower()), ("search: surname", payer.split()[0].lower()),
                    ("search: phone", phone), ("search: account", number), ("card", number)]
    return samples


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "RASCHET_SSL_REDIRECT": "0", "RASCHET_HSTS_SECONDS": "0", "RASCHET_SECURE_COOKIES": "0"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/raschet"), "serve", "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            build_opener().open(f"{base}/health/", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    server.kill()
    raise SystemExit("the server did not start: " + (server.stdout.read() or b"").decode()[-2000:])


def _sign_in(base: str):
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": BENCH_USER[0], "password": BENCH_USER[1],
                                   "csrfmiddlewaretoken": token, "next": "/"}).encode()
    try:
        opener.open(Request(f"{base}/login/", body, headers={"Referer": f"{base}/login/"}))
    except Exception as answer:  # the 302 after signing in
        if getattr(answer, "code", None) != 302:
            raise
    return opener


def _timed(opener, url: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    try:
        answer = opener.open(url, timeout=60)
        code, body = answer.status, answer.read().decode()
    except Exception as error:  # a redirect to the card is the search's answer too
        code, body = getattr(error, "code", 0), ""
    return (time.perf_counter() - started) * 1000, code, body


def _cpu_ms(pid: int) -> float:
    """The server process's CPU time so far (user + system), from /proc, in milliseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _month_of(body: str) -> str | None:
    found = re.search(r'/months/(\d{4}-\d{2})/', body)
    return found.group(1) if found else None


def run(requests: int, port: int, seed: int) -> dict[str, list[float]]:
    _django()
    _bench_user()
    samples = _samples(max(1, requests // 5), seed)
    server = _serve(port)
    base = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = {}
    try:
        opener = _sign_in(base)
        _timed(opener, f"{base}/search/?q=warm-up")
        for kind, value in samples:
            cpu = _cpu_ms(server.pid)
            if kind == "card":
                ms, code, body = _timed(opener, f"{base}/accounts/{value}/")
                month = _month_of(body)
                if month:
                    cpu_month = _cpu_ms(server.pid)
                    times.setdefault("card: month opened", []).append(
                        _timed(opener, f"{base}/accounts/{value}/months/{month}/")[0])
                    CPU.setdefault("card: month opened", []).append(_cpu_ms(server.pid) - cpu_month)
                    cpu += _cpu_ms(server.pid) - cpu_month  # not counted in the card's own figure below
            else:
                ms, code, _ = _timed(opener, f"{base}/search/?" + urllib.parse.urlencode({"q": value}))
                if code not in (200, 302):
                    print(f"  {kind} «{value}»: HTTP {code}", file=sys.stderr)
            times.setdefault(kind, []).append(ms)
            CPU.setdefault(kind, []).append(_cpu_ms(server.pid) - cpu)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests in all (a fifth are cards)")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    times = run(args.requests, args.port, args.seed)
    load = os.getloadavg()[0]
    print(f"wall time at the client (load average {load:.1f}); CPU: the server process's own, per request")
    print(f"{'kind':<22}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'CPU p50':>9}{'CPU p95':>9}")
    for kind, values in times.items():
        cpu = CPU.get(kind, [0.0])
        print(f"{kind:<22}{len(values):>5}{_pct(values, .5):>9.0f}{_pct(values, .95):>9.0f}{max(values):>9.0f}"
              f"{_pct(cpu, .5):>9.0f}{_pct(cpu, .95):>9.0f}")


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
