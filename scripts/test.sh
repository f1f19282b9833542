#!/usr/bin/env bash
# Sets up the test environment and runs the whole test suite (tests/); extra arguments go
# to pytest. SQLite by default; PostgreSQL when DATABASE_URL is set; the Redis tests run
# when REDIS_URL (or CELERY_TEST_BROKER_URL, or 127.0.0.1:6379) answers.
#
# In parallel by default: pytest-xdist on TEST_WORKERS processes (default: the number of
# CPUs, at most 4), each with a test database of its own. Serially, as plain pytest, when
# TEST_WORKERS is 0 or 1, when test files are named (`tests/orgs/test_api.py`,
# `tests/x.py::test_y`: starting the workers would cost more than it saves), with `-s`,
# `--capture=no`, `--pdb` or `--trace` (output and debugger need one process), and when
# the arguments choose for themselves (`-n …`, `--numprocesses …`, `-p no:xdist`).
set -euo pipefail

# shellcheck source=scripts/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

ensure_venv requirements-dev.lock
export PATH="$VENV_DIR/bin:$PATH"

CHROMIUM=/usr/bin/chromium
# libatomic1: Playwright's driver needs it, and a minimal Debian does not have it.
ensure_debs "пакеты для PDF и браузерных тестов" $RUNTIME_DEBS chromium libatomic1 poppler-utils
if [ ! -x "$CHROMIUM" ]; then
    warn "нет $CHROMIUM: браузерные тесты (tests/e2e) будут пропущены. Установите его: sudo apt-get install chromium"
fi

# Front-end test helpers from the npm registry, if the project declares any.
if [ -f package.json ]; then
    command -v npm >/dev/null 2>&1 || { is_root_with_apt && apt_install nodejs npm; } || true
    if command -v npm >/dev/null 2>&1; then
        if [ ! -d node_modules ] || [ package.json -nt node_modules ] ||
            { [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
            say "Устанавливаю пакеты npm"
            if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
            touch node_modules
        fi
    else
        warn "нет npm: тесты, которым нужны пакеты из package.json, будут пропущены или упадут"
    fi
fi

export DJANGO_ALLOW_ASYNC_UNSAFE=true
# Every test process (pytest and its workers, the Celery worker and the servers some tests start) imports the
# same thousands of modules: with their bytecode kept in __pycache__, a process starts in a third of the time.
unset PYTHONDONTWRITEBYTECODE
# whitenoise warns on every request when the static root does not exist yet.
mkdir -p "${DJANGO_STATIC_ROOT:-$ROOT_DIR/staticfiles}"
if [ -n "${DATABASE_URL:-}" ]; then
    say "База данных тестов: ${DATABASE_URL%%://*} (DATABASE_URL)"
else
    say "База данных тестов: SQLite (для PostgreSQL задайте DATABASE_URL)"
fi

# The arguments of a run that is to stay serial (see the top of this file).
serial_run() {
    local arg prev=""
    for arg in "$@"; do
        case "$arg" in
        -n | -n[0-9]* | -nauto | -nlogical | --numprocesses | --numprocesses=* | -pno:xdist | \
            -s | --capture=no | --pdb | --trace)
            return 0
            ;;
        no:xdist) [ "$prev" = -p ] && return 0 ;;
        -*) ;;
        *.py | *.py::*) return 0 ;;
        esac
        prev="$arg"
    done
    return 1
}

workers="${TEST_WORKERS:-}"
if [ -z "$workers" ]; then
    workers="$(nproc 2>/dev/null || echo 1)"
    [ "$workers" -le 4 ] || workers=4
fi
[[ "$workers" =~ ^[0-9]+$ ]] || die "TEST_WORKERS должно быть числом, а не «$workers»"
parallel=()
if [ "$workers" -gt 1 ] && ! serial_run "$@"; then
    say "Тесты идут параллельно, процессов: $workers (pytest-xdist; один процесс: TEST_WORKERS=1)"
    parallel=(-n "$workers" --dist loadgroup)
fi

set +e
"$PY" -m pytest "${parallel[@]}" "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    warn "pytest не нашёл ни одного теста"
    exit 1
fi
exit "$rc"
