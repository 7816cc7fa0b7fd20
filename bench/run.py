"""One command for the whole benchmark (`make bench`): on SQLite and on PostgreSQL,

1. migrate a fresh database and generate the city-scale history (bench.generate), timed;
2. count the SQL statements of every page in bench.pages (in-process, test client);
3. time the operations in bench.operations (in-process, rolled back);
4. serve the stack's ceiling (bench.ceiling_app) and then the application with gunicorn,
   2 workers on 127.0.0.1, log in the sessions the pages need, and load every page with wrk
   (8 connections, a few seconds each): requests/s, median and p95 latency, share of the ceiling;
5. read each worker's peak resident memory (VmHWM in /proc) after the load;

and print ONE table (Markdown, ready for the README), also written to bench/results/.

PostgreSQL: DATABASE_URL if it is a PostgreSQL URL (its public schema is DROPPED and rebuilt),
else a throwaway cluster started here as .ci/run does, on port 54339, removed at the end.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "report.lua"
PY = sys.executable
PG_PORT = 54339
APP_PORT = 18431
CEILING_PORT = 18432
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"

# Targets of issue 8 (at the default size, on both databases).
TARGET_P95_MS = 150
TARGET_SHARE = 0.40
TARGET_RSS_MB = 300


def say(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- system tools --------------------------------------------------------------------------------

def ensure_debian_package(binary: str, package: str) -> None:
    """Install a Debian package if its binary is missing, as .ci/run installs what it needs."""
    if shutil.which(binary) or list(Path("/usr/lib/postgresql").glob(f"*/bin/{binary}")):
        return
    say(f"installing {package} (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], check=True, env=env,
                   stdout=subprocess.DEVNULL)


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, started and removed by the benchmark."""

    def __init__(self, port: int = PG_PORT):
        ensure_debian_package("initdb", "postgresql")
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in
                          re.findall(r"\d+", p.parent.name)])[-1]
        self.port = port
        self.data = Path(tempfile.mkdtemp(prefix="bench-pgdata."))
        self.url = f"postgresql://postgres@127.0.0.1:{port}/bench"

    def _as_postgres(self, command: str) -> None:
        subprocess.run(["su", "postgres", "-c", command], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> ThrowawayPostgres:
        shutil.chown(self.data, "postgres", "postgres")
        self._as_postgres(f"{self.bin}/initdb -D {self.data} -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8")
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.data} -w -l {self.data}/server.log "
                          f"-o '-p {self.port} -k /tmp -c listen_addresses=127.0.0.1' start")
        self._as_postgres(f"{self.bin}/createdb -h 127.0.0.1 -p {self.port} bench")
        return self

    def stop(self) -> None:
        subprocess.run(["su", "postgres", "-c", f"{self.bin}/pg_ctl -D {self.data} -m fast stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.data, ignore_errors=True)


# --- one database --------------------------------------------------------------------------------

@dataclass
class Row:
    database: str
    item: str
    role: str = ""
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    share: float | None = None
    seconds: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""


@dataclass
class Setup:
    label: str
    url: str
    instance: Path
    env: dict = field(default_factory=dict)


def _env_for(url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET_KEY,
                "APP_ENV": "development", "SCHEDULER_ENABLED": "false", "PYTHONPATH": str(ROOT),
                # wrk sends thousands of requests a minute with one token from one address: the API's
                # rate limits would answer 429 to most of them and the page would measure the limiter.
                "API_RATE_LIMIT_PER_TOKEN": "100000000", "API_RATE_LIMIT_PER_ADDRESS": "100000000"})
    env.pop("FLASK_DEBUG", None)
    return env


def fresh_database(setup: Setup) -> None:
    if setup.url.startswith("sqlite"):
        shutil.rmtree(setup.instance, ignore_errors=True)
        setup.instance.mkdir(parents=True)
        return
    from sqlalchemy import create_engine, text

    from portal.config import normalise_database_url

    engine = create_engine(normalise_database_url(setup.url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    setup.instance.mkdir(parents=True, exist_ok=True)


def migrate_and_generate(setup: Setup, args) -> float:
    subprocess.run([PY, "-m", "flask", "--app", "portal", "db", "upgrade"], check=True, env=setup.env,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    command = [PY, "-m", "bench.generate", "--scale", str(args.scale), "--seed", str(args.seed)]
    if args.now:
        command += ["--now", args.now]
    subprocess.run(command, check=True, env=setup.env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def in_process_measures(setup: Setup, args) -> tuple[dict[str, int], list]:
    """Query counts per page and timed operations, with the app in this process."""
    from bench.generate import default_now
    from bench.operations import time_all
    from bench.pages import PAGES
    from bench.querycount import all_page_query_counts
    from portal import create_app
    from portal.config import normalise_database_url
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(setup.url),
                      "INSTANCE_PATH": str(setup.instance), "SECRET_KEY": SECRET_KEY})
    counts = all_page_query_counts(app, PAGES)
    now = datetime.fromisoformat(args.now) if args.now else default_now()
    timings = time_all(app, now)
    with app.app_context():
        db.engine.dispose()
    return counts, timings


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1."""

    def __init__(self, target: str, port: int, env: dict, workers: int):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", target],
            env=env, cwd=ROOT, start_new_session=True)

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.base}{path} did not answer within {timeout} s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident set size since it started (VmHWM), in MB."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the gunicorn master stops its own workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def login_cookie(base: str, email: str, password: str) -> str:
    """Log in through the real form (CSRF token and all); return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login", timeout=10) as response:
        html = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    with opener.open(base + "/login", data=urllib.parse.urlencode(data).encode(), timeout=30) as response:
        response.read()
    cookies = {c.name: c.value for c in jar}
    if "session" not in cookies:
        raise RuntimeError(f"login as {email} gave no session cookie")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _headers(cookie: str | None, extra: dict | None = None) -> dict:
    return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}


def check_page(url: str, cookie: str | None, warmup: int, extra: dict | None = None) -> None:
    """The page must answer 200 for this session (not a redirect to the login form)."""
    for _ in range(max(1, warmup)):
        request = urllib.request.Request(url, headers=_headers(cookie, extra))
        opener = urllib.request.build_opener(NoRedirect)
        with opener.open(request, timeout=30) as response:
            if response.status != 200:
                raise RuntimeError(f"GET {url} answered {response.status}")
            response.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RuntimeError(f"GET {req.full_url} redirected ({code}) to {newurl}")


def wrk(url: str, cookie: str | None, args, extra: dict | None = None) -> dict:
    command = ["wrk", "--threads", "2", "--connections", str(args.connections), "--duration", f"{args.duration}s",
               "--timeout", "10s", "--latency", "--script", str(LUA)]
    for name, value in _headers(cookie, extra).items():
        command += ["--header", f"{name}: {value}"]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line[len("BENCH_JSON "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def _free(port: int) -> int:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) != 0:
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database(setup: Setup, args) -> list[Row]:
    from bench.generate import BENCH_PASSWORD, BENCH_USERS
    from bench.pages import PAGES, page_context, roles_needed
    from portal import create_app
    from portal.config import normalise_database_url
    from portal.extensions import db

    db_label = setup.label
    rows: list[Row] = []
    say(f"{db_label}: fresh database, migrate, generate (scale {args.scale})")
    fresh_database(setup)
    gen_seconds = migrate_and_generate(setup, args)
    rows.append(Row(db_label, f"generate the data (scale {args.scale})", seconds=gen_seconds))
    say(f"{db_label}: generated in {gen_seconds:.1f} s; counting queries, timing operations")
    counts, timings = in_process_measures(setup, args)

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(setup.url),
                      "INSTANCE_PATH": str(setup.instance)})
    with app.app_context():
        ctx = page_context(db.session)
        db.session.remove()
        db.engine.dispose()

    say(f"{db_label}: the ceiling (minimal Flask + SQLAlchemy + Jinja page)")
    ceilings = [measure_ceiling(setup, args)]
    say(f"{db_label}: the application, {len(PAGES)} pages")
    server = Server("portal:create_app()", _free(APP_PORT), setup.env, args.workers)
    try:
        server.wait_ready("/healthz")
        cookies = {None: None}
        for role in roles_needed(PAGES):
            cookies[role] = login_cookie(server.base, BENCH_USERS[role], BENCH_PASSWORD)
        ceiling_row = len(rows)
        for page in PAGES:
            url = server.base + page.build(ctx)
            cookie = None if page.api_token else cookies[page.role]
            check_page(url, cookie, args.warmup, page.headers())
            r = wrk(url, cookie, args, page.headers())
            p95 = r["p95_us"] / 1000
            role = (page.role.value if page.role else "anonymous") + (" (API token)" if page.api_token else "")
            rows.append(Row(db_label, page.name, role, r["rps"], r["p50_us"] / 1000, p95, counts[page.name],
                            target=f"p95 < {TARGET_P95_MS} ms, ≥ {TARGET_SHARE:.0%} of ceiling" if page.key else "",
                            note=_errors(r)))
            say(f"{db_label}: {page.name}: {r['rps']:.0f} req/s, p95 {p95:.1f} ms, {counts[page.name]} queries")
        peaks = server.peak_rss_mb()
    finally:
        server.stop()
    # Measured again after the pages: the better run is the ceiling, so that a passing busy
    # moment on the machine cannot flatter the pages' share.
    say(f"{db_label}: the ceiling again")
    ceilings.append(measure_ceiling(setup, args))
    best = max(ceilings, key=lambda c: c["rps"])
    rows.insert(ceiling_row, Row(db_label, "ceiling: minimal page, one indexed query", "anonymous", best["rps"],
                                 best["p50_us"] / 1000, best["p95_us"] / 1000, 1, 1.0,
                                 note=f"best of 2 runs ({ceilings[0]['rps']:.0f} and {ceilings[1]['rps']:.0f} req/s) "
                                      + _errors(best)))
    for row in rows[ceiling_row + 1:]:
        if row.rps is not None:
            row.share = row.rps / best["rps"]
            if row.target:  # key pages only
                row.met = row.p95_ms < TARGET_P95_MS and row.share >= TARGET_SHARE
    ceiling_rss = max(c["peak_rss_mb"] for c in ceilings)

    for t in timings:
        rows.append(Row(db_label, t.name, seconds=t.seconds, target=f"< {t.target_s:g} s" if t.target_s else "",
                        met=t.met, note=t.note))
    rows.append(Row(db_label, "peak memory per worker (VmHWM)", target=f"< {TARGET_RSS_MB} MB",
                    met=bool(peaks) and max(peaks) < TARGET_RSS_MB,
                    note=", ".join(f"{p:.0f} MB" for p in peaks) + f" (ceiling's worker: {ceiling_rss:.0f} MB)"))
    return rows


def measure_ceiling(setup: Setup, args) -> dict:
    ceiling = Server("bench.ceiling_app:app", _free(CEILING_PORT), setup.env, args.workers)
    try:
        ceiling.wait_ready("/ceiling")
        check_page(ceiling.base + "/ceiling", None, args.warmup)
        result = wrk(ceiling.base + "/ceiling", None, args)
        result["peak_rss_mb"] = max(ceiling.peak_rss_mb(), default=0)
    finally:
        ceiling.stop()
    return result


def _errors(result: dict) -> str:
    bad = result["socket_errors"] + result["non_2xx_3xx"]
    return f"{bad} failed responses" if bad else ""


# --- the table ---------------------------------------------------------------------------------

def _fmt(value, spec: str) -> str:
    return "" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    header = ["database", "what", "role", "req/s", "median ms", "p95 ms", "SQL queries", "of ceiling", "time s",
              "target", "met", "note"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        cells = [r.database, r.item, r.role, _fmt(r.rps, ".0f"), _fmt(r.p50_ms, ".1f"), _fmt(r.p95_ms, ".1f"),
                 _fmt(r.queries, "d"), _fmt(r.share, ".0%"), _fmt(r.seconds, ".2f"), r.target, met, r.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


# --- command line ------------------------------------------------------------------------------

def parse(argv: list[str] | None):
    parser = argparse.ArgumentParser(description="Run the city-scale benchmark and print one table.")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--scale", type=float, default=1.0, help="data size, 1 = the city (default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", default=None, help="the generated history ends here (ISO date-time)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk load per page (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--warmup", type=int, default=5, help="requests per page before the load (default 5)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sys.path.insert(0, str(ROOT))
    ensure_debian_package("wrk", "wrk")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    stamp = datetime.now(timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="bench-run."))
    rows: list[Row] = []
    postgres = None
    try:
        for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
            if name == "sqlite":
                instance = workdir / "sqlite"
                url = f"sqlite:///{instance}/portal.db"
                setup = Setup("SQLite", url, instance, _env_for(url, instance))
            elif name == "postgresql":
                url = os.environ.get("DATABASE_URL", "")
                if not url.startswith(("postgres://", "postgresql")):
                    say("starting a throwaway PostgreSQL cluster")
                    postgres = ThrowawayPostgres().start()
                    url = postgres.url
                instance = workdir / "postgresql"
                setup = Setup("PostgreSQL", url, instance, _env_for(url, instance))
            else:
                raise SystemExit(f"unknown database {name!r}: use sqlite or postgresql")
            rows += bench_database(setup, args)
    finally:
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    load = os.getloadavg()[0]
    text = (f"Benchmark at scale {args.scale} ({args.connections} connections, {args.duration} s per page, "
            f"gunicorn {args.workers} workers), {stamp:%Y-%m-%d %H:%M} UTC on {machine()}; "
            f"whole run {elapsed / 60:.1f} min; 1-minute load average {load_before:.1f} at the start, "
            f"{load:.1f} at the end (other work on the machine skews the figures).\n\n" + table(rows))
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stamp:%Y%m%dT%H%M}.md").write_text(text + "\n")
    (RESULTS / f"{stamp:%Y%m%dT%H%M}.json").write_text(json.dumps([r.__dict__ for r in rows], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
