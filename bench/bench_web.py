"""Load benchmark for the web system (not a test).

Starts gunicorn on 127.0.0.1 with the demo data (the seed's 2023 Q1 and an open Q2), logs in as
the bureau and as the 陈贵镇 reporter, then runs N concurrent clients that fetch the results page
and the entry page. Prints p50/p95/p99 latency and throughput per page. Bounded in requests and
time; talks to loopback only.

    .venv/bin/python bench/bench_web.py                 # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaohe_bench .venv/bin/python bench/bench_web.py
    .venv/bin/python bench/bench_web.py --clients 50 --requests 3000 --max-seconds 60
    .venv/bin/python bench/bench_web.py --think-ms 500   # 50 users who read between clicks
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"  # loopback only
PASSWORD = "Kaohe@2023!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def environment(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAOHE_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kaohe.web.settings",
            "KAOHE_DEBUG": "0",
            "KAOHE_DATA_DIR": str(data_dir),
            "KAOHE_SECRET_KEY": secrets.token_urlsafe(64),
            "KAOHE_ALLOWED_HOSTS": HOST,
            "KAOHE_SSL_REDIRECT": "0",  # plain HTTP on loopback; cookies stay Secure, the client sends them anyway
        }
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


class Session:
    """A minimal HTTP client with its own cookie jar and keep-alive connection."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        h = {"Host": HOST, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        h.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        data = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";", 1)[0].split("=", 1)
                self.cookies[k.strip()] = v.strip()
        return resp.status, data, dict(resp.getheaders())


def login(port: int, username: str) -> dict:
    from urllib.parse import urlencode

    s = Session(port)
    status, page, _ = s.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, _, headers = s.request(
        "POST",
        "/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/login/",
        },
    )
    if status != 302:
        raise SystemExit(f"登录 {username} 失败：HTTP {status}")
    return s.cookies


def wait_until_up(port: int, proc, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn 启动失败")
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=2)
            c.request("GET", "/healthz", headers={"Host": HOST})
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn 没有在规定时间内启动")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="total requests (upper bound)")
    parser.add_argument(
        "--max-seconds", type=float, default=60, help="stop after this long in any case"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0,
        help="each client waits this long between requests (0: back to back, the worst case)",
    )
    args = parser.parse_args()
    args.clients = min(args.clients, 200)
    args.requests = min(args.requests, 100_000)
    args.max_seconds = min(args.max_seconds, 600)

    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as tmp:
        env = environment(Path(tmp))
        run = [sys.executable, "-m", "kaohe.cli", "manage"]
        subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*run, "kaohe_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        ids = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django;django.setup();from kaohe.web.models import Period,Unit;"
                "q1=Period.objects.get(number=1);q2=Period.objects.get(number=2);"
                "u=Unit.objects.get(name='陈贵镇');print(q1.pk,q2.pk,u.pk)",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        q1, q2, unit = ids
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kaohe.web.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            wait_until_up(port, proc)
            admin = login(port, "admin")
            reporter = login(port, "chengui")
            pages = [
                ("结果页", f"/periods/{q1}/results/", admin),
                ("填报页", f"/periods/{q2}/units/{unit}/entry/", reporter),
            ]
            for name, path, cookies in pages:  # warm up and check the pages answer
                status, body, _ = Session(port, cookies).request("GET", path)
                assert status == 200, (name, status)
            latencies: dict[str, list[float]] = {name: [] for name, _, _ in pages}
            errors: dict[str, int] = {name: 0 for name, _, _ in pages}
            lock = threading.Lock()
            counter = iter(range(args.requests))
            stop_at = time.monotonic() + args.max_seconds

            def client(n: int) -> None:
                sessions = [Session(port, cookies) for _, _, cookies in pages]
                k = n
                while time.monotonic() < stop_at:
                    with lock:
                        if next(counter, None) is None:
                            return
                    i = k % len(pages)
                    k += 1
                    name, path, _ = pages[i]
                    t0 = time.perf_counter()
                    try:
                        status, _, _ = sessions[i].request("GET", path)
                    except OSError:
                        status = 0
                    dt = time.perf_counter() - t0
                    with lock:
                        if status == 200:
                            latencies[name].append(dt)
                        else:
                            errors[name] += 1
                    if args.think_ms:
                        time.sleep(args.think_ms / 1000)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    total = sum(len(v) for v in latencies.values())
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads，{db}，{args.clients} 个并发客户端，"
        f"思考时间 {args.think_ms:g} ms，CPU {os.cpu_count()} 核，用时 {elapsed:.1f} 秒"
    )
    print(
        f"{'页面':<6} {'请求数':>6} {'错误':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'平均 ms':>8}"
    )
    for name in latencies:
        v = [x * 1000 for x in latencies[name]]
        print(
            f"{name:<6} {len(v):>8} {errors[name]:>5} {percentile(v, 50):>8.1f} {percentile(v, 95):>8.1f} "
            f"{percentile(v, 99):>8.1f} {statistics.mean(v) if v else float('nan'):>8.1f}"
        )
    allv = [x * 1000 for v in latencies.values() for x in v]
    print(
        f"合计 {total} 个成功请求，吞吐量 {total / elapsed:.1f} 请求/秒，p95 {percentile(allv, 95):.1f} ms"
        f"（目标 p95 ≤ 100 ms）"
    )


if __name__ == "__main__":
    main()
