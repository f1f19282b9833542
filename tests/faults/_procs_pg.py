"""Real processes for the fault tests: a PostgreSQL cluster of the test's own on a spare loopback port, and the
portal under gunicorn (and Celery) against it. Every process runs in a session of its own and is always stopped;
every wait is bounded.

Nothing here touches the machine's PostgreSQL on 5432: the cluster lives in a temporary folder and listens on
127.0.0.1 only. As root, initdb and pg_ctl run as the `postgres` OS user (initdb refuses root).
"""

import glob
import http.client
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ._procs import HOST, ROOT, Service, free_port, wait_until  # noqa: F401 - the tests use them from here


def postgres_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: on the PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    candidates = [Path(os.path.realpath(found)).parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)]
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def missing_postgres_reason() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if postgres_bin_dir() is None:
        return "нет initdb/pg_ctl PostgreSQL (ни в PATH, ни в /usr/lib/postgresql/*/bin)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "под root нужен пользователь ОС postgres: initdb не работает от root"
        if not shutil.which("runuser"):
            return "под root нужна программа runuser, чтобы запускать PostgreSQL от пользователя postgres"
    return None


class PostgresCluster:
    """`initdb` into a temporary folder, `pg_ctl start/stop/restart` on 127.0.0.1:<port>, trust authentication."""

    def __init__(self, port: int | None = None):
        self.bin = postgres_bin_dir()
        self.port = port or free_port()
        self.base = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
        self.data = self.base / "data"
        self.socket_dir = self.base / "socket"
        self.log = self.base / "postgres.log"
        self.as_postgres = os.geteuid() == 0
        self.socket_dir.mkdir()
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (self.base, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)

    def _run(self, *args, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        # pg_ctl start forks the server: its output goes to the log file, so these pipes close at once.
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr}{self.log_tail()}")
        return done

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def _options(self) -> str:
        # Loopback only, a socket folder of its own; durability is not what these tests are about.
        return (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses={HOST} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options(), "-w", "-t", "30",
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-o", self._options(), "-w", "-t", "30", "restart")

    def running(self) -> bool:
        cmd = [str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url(), connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()

    def query(self, database: str, sql: str, params=()) -> list[tuple]:
        import psycopg2

        conn = psycopg2.connect(self.url(database), connect_timeout=5)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def destroy(self) -> None:
        """Stop the server (immediately) if it runs, and remove its folder."""
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def portal_env(database_url: str, data_dir: Path, port: int) -> dict:
    """The environment of the portal's processes: this cluster, a data folder of their own, nothing shared."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECURE": "False",
        "PORTAL_DATA_DIR": str(data_dir),
        "DJANGO_MEDIA_ROOT": str(data_dir / "media"),
        "DJANGO_STATIC_ROOT": str(data_dir / "static"),
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CELERY_BROKER_URL": "filesystem://",  # queue folders under PORTAL_DATA_DIR
        "CELERY_RESULT_BACKEND": "",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "dummymail://",
        "PORTAL_BASE_URL": f"http://{HOST}:{port}",
        "LOG_LEVEL": "WARNING",
    }


def python(env: dict, *args: str, timeout: float = 300) -> str:
    """Run `python <args>` in the checkout with the environment; its output, or an error with it."""
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"python {' '.join(args[:2])} failed: {done.stdout[-2000:]}{done.stderr[-4000:]}")
    return done.stdout


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    return python(env, "manage.py", *args, timeout=timeout)


def gunicorn(env: dict, port: int, log_path: Path, *, workers: int = 2, threads: int = 2) -> Service:
    """The portal under gunicorn with the project's gunicorn.conf.py, bound to 127.0.0.1:<port>."""
    cmd = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
           "--bind", f"{HOST}:{port}", "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
    return Service("gunicorn", cmd, env, log_path)


def celery(env: dict, log_path: Path, *args: str) -> Service:
    """`celery -A portal <args>` (a worker or beat) at INFO level, so that the log tells what it did."""
    return Service(f"celery {args[0]}", [sys.executable, "-m", "celery", "-A", "portal", *args, "-l", "info"], env,
                   log_path)  # fmt: skip


def http_get(port: int, path: str, headers: dict | None = None, timeout: float = 15):
    """(status, headers, body text) of one GET on 127.0.0.1."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()
