"""Load benchmark for the web system (not a test).

Starts gunicorn on 127.0.0.1 exactly as `kaohe serve --gunicorn` does, with the demo data (the
seed's 2023 Q1 and an open Q2), logs in as the bureau and as the 陈贵镇 reporter, then runs two
phases of 50 clients that fetch the results page (as the bureau) and the entry page (as the
reporter), alternately:

1. users who read: each client pauses 1 s between requests; prints p50/p95/p99 per page and the
   errors (targets: p95 ≤ 100 ms, no errors);
2. back to back: no pause; prints the throughput (target: at least 200 requests/s on 2 cores).

Both phases are bounded in requests and time and talk to loopback only. Every client has its own
keep-alive connection and sends the real session cookies (cookies the server sets are kept);
nothing is cached in the client or the server. A response counts only if it is HTTP 200 and
contains the text that proves it is the right page (大冶湖高新区 on the results page, “陈贵镇
数据填报” on the entry page); anything else is an error. The clients run in one thread on an
event loop (selectors), so the load generator takes little CPU from the server on the same cores;
what else runs on the machine does, so the figures are noisy (the load average is printed).

    # the production set-up: PostgreSQL (the database is emptied and filled with the demo data)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaohe_bench .venv/bin/python bench/bench_web.py
    .venv/bin/python bench/bench_web.py                 # SQLite in a temporary folder
    .venv/bin/python bench/bench_web.py --paced-seconds 20 --burst-requests 3000
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import os
import re
import secrets
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kaohe.cli import gunicorn_command

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


class Client:
    """One simulated user: a keep-alive connection, its own cookies, a request in flight."""

    def __init__(self, port: int, pages: list, first: int):
        self.port = port
        self.pages = pages  # [(name, path, cookies, marker)]
        self.cookies = [dict(c) for _, _, c, _ in pages]
        self.requests = [self._request(i) for i in range(len(pages))]
        self.next = first
        self.sock = None
        self.buffer = bytearray()

    def _request(self, i: int) -> bytes:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies[i].items())
        return (
            f"GET {self.pages[i][1]} HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie}\r\n\r\n".encode()
        )

    def connect(self, selector) -> None:
        self.sock = socket.create_connection((HOST, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        selector.register(self.sock, selectors.EVENT_READ, self)

    def close(self, selector) -> None:
        if self.sock is not None:
            selector.unregister(self.sock)
            self.sock.close()
            self.sock = None

    def send(self, selector) -> None:
        if self.sock is None:
            self.connect(selector)
        self.page = self.next
        self.next = (self.next + 1) % len(self.pages)
        self.buffer.clear()
        self.started = time.perf_counter()
        self.sock.sendall(self.requests[self.page])

    def receive(self) -> tuple[bool, bool] | None:
        """Read what has arrived: None while the response is incomplete, else (ok, keep-alive)."""
        data = self.sock.recv(1 << 18)
        if not data:
            raise ConnectionError("服务器关闭了连接")
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        headers = [line.split(":", 1) for line in head[1:]]
        length = next((int(v) for k, v in headers if k.strip().lower() == "content-length"), None)
        if length is None:
            raise ConnectionError("响应没有 Content-Length")
        if len(self.buffer) < end + 4 + length:
            return None
        body = self.buffer[end + 4 : end + 4 + length]
        for k, v in headers:
            if k.strip().lower() == "set-cookie":
                name, value = v.strip().split(";", 1)[0].split("=", 1)
                self.cookies[self.page][name] = value
                self.requests[self.page] = self._request(self.page)
        ok = head[0].split()[1] == "200" and self.pages[self.page][3] in body
        keep = not any(
            k.strip().lower() == "connection" and v.strip().lower() == "close" for k, v in headers
        )
        return ok, keep


def run_load(port: int, pages: list, clients: int, requests: int, seconds: float, think: float):
    """Run the clients until ``requests`` responses or ``seconds``: (latencies, errors, elapsed)."""
    selector = selectors.DefaultSelector()
    latencies: dict[str, list[float]] = {name: [] for name, *_ in pages}
    errors: dict[str, int] = {name: 0 for name, *_ in pages}
    sent = 0
    waiting: list = []  # (when, n, client): clients thinking
    people = [Client(port, pages, n % len(pages)) for n in range(clients)]
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    in_flight = 0

    def start(client) -> None:
        nonlocal sent, in_flight
        if sent >= requests or time.perf_counter() >= stop_at:
            client.close(selector)
            return
        sent += 1
        in_flight += 1
        try:
            client.send(selector)
        except OSError:
            in_flight -= 1
            errors[pages[client.page][0]] += 1
            client.close(selector)
            start(client)

    for client in people:
        start(client)
    while in_flight or waiting:
        now = time.perf_counter()
        while waiting and waiting[0][0] <= now:
            start(heapq.heappop(waiting)[2])
        timeout = max(0.0, waiting[0][0] - now) if waiting else None
        if not in_flight:
            time.sleep(timeout or 0)
            continue
        for key, _ in selector.select(timeout):
            client = key.data
            try:
                done = client.receive()
            except OSError:
                done = (False, False)
            if done is None:
                continue
            in_flight -= 1
            name = pages[client.page][0]
            if done[0]:
                latencies[name].append(time.perf_counter() - client.started)
            else:
                errors[name] += 1
            if not done[1]:
                client.close(selector)
            if think:
                heapq.heappush(waiting, (time.perf_counter() + think, id(client), client))
            else:
                start(client)
    for client in people:
        client.close(selector)
    return latencies, errors, time.perf_counter() - t0


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of gunicorn's master and workers so far (Linux /proc)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0.0
        for p in [pid, *map(int, children)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        return total
    except (OSError, ValueError):
        return None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def report(title: str, latencies, errors, elapsed: float) -> None:
    print(title)
    print(
        f"{'页面':<6} {'请求数':>6} {'错误':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'平均 ms':>8}"
    )
    for name in latencies:
        v = [x * 1000 for x in latencies[name]]
        print(
            f"{name:<6} {len(v):>8} {errors[name]:>5} {percentile(v, 50):>8.1f} "
            f"{percentile(v, 95):>8.1f} {percentile(v, 99):>8.1f} "
            f"{statistics.mean(v) if v else float('nan'):>8.1f}"
        )
    allv = [x * 1000 for v in latencies.values() for x in v]
    print(
        f"合计 {len(allv)} 个成功请求、{sum(errors.values())} 个错误，用时 {elapsed:.1f} 秒，"
        f"吞吐量 {len(allv) / elapsed:.1f} 请求/秒，p95 {percentile(allv, 95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pause-ms", type=float, default=1000, help="pause in phase 1")
    parser.add_argument("--paced-seconds", type=float, default=30, help="length of phase 1")
    parser.add_argument(
        "--burst-requests", type=int, default=6000, help="requests in phase 2 (upper bound)"
    )
    parser.add_argument("--burst-seconds", type=float, default=30, help="phase 2 stops after this")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn processes (default: 2 × cores + 1)"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # what else the machine was doing
    clients = min(args.clients, 200)
    paced_seconds = min(args.paced_seconds, 300)
    burst_requests = min(args.burst_requests, 100_000)
    burst_seconds = min(args.burst_seconds, 300)

    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as tmp:
        env = environment(Path(tmp))
        run = [sys.executable, "-m", "kaohe.cli", "manage"]
        subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*run, "flush", "--no-input", "-v0"], env=env, check=True)  # a clean start
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
        # exactly the production command (kaohe serve --gunicorn), access log included
        command = gunicorn_command(HOST, port, args.workers, str(Path(tmp) / "access.log"))
        workers = int(command[command.index("--workers") + 1])
        proc = subprocess.Popen([*command, "--log-level", "warning"], env=env)
        try:
            wait_until_up(port, proc)
            admin = login(port, "admin")
            reporter = login(port, "chengui")
            pages = [
                ("结果页", f"/periods/{q1}/results/", admin, "大冶湖高新区".encode()),
                (
                    "填报页",
                    f"/periods/{q2}/units/{unit}/entry/",
                    reporter,
                    "陈贵镇 数据填报".encode(),
                ),
            ]
            for name, path, cookies, marker in pages:  # warm up and check the pages answer
                for _ in range(3):
                    status, body, _ = Session(port, cookies).request("GET", path)
                    assert status == 200 and marker in body, (name, status)
            paced = run_load(port, pages, clients, 10**6, paced_seconds, args.pause_ms / 1000)
            cpu0, server0 = time.process_time(), server_cpu_seconds(proc.pid)
            burst = run_load(port, pages, clients, burst_requests, burst_seconds, 0)
            cpu1, server1 = time.process_time(), server_cpu_seconds(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"gunicorn {workers} 个 sync 进程，{db}，{clients} 个并发客户端，CPU {os.cpu_count()} 核；"
        f"开始前系统负载 {load_before:.2f}（1 分钟平均；其他程序同时运行时结果偏慢）"
    )
    report(
        f"一、每个客户端两次请求之间停 {args.pause_ms:g} ms（目标 p95 ≤ 100 ms、无错误）", *paced
    )
    report("二、不停顿，连续请求（目标吞吐量 ≥ 200 请求/秒，2 核）", *burst)
    latencies, errors, elapsed = burst
    served = sum(len(v) for v in latencies.values()) + sum(errors.values())
    if server0 is not None and server1 is not None and served:
        print(
            f"服务器 CPU：每个请求 {(server1 - server0) / served * 1000:.2f} ms（gunicorn 全部进程）"
        )
    share = (cpu1 - cpu0) / elapsed
    print(
        f"压测客户端 CPU：{share * 100:.0f}% 个核（占本机 {share / (os.cpu_count() or 1) * 100:.0f}%）"
    )


if __name__ == "__main__":
    main()
