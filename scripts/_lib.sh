# Shared set-up for scripts/run.sh and scripts/test.sh (sourced, not run).
#
# ensure_venv LOCKFILE — creates .venv with the machine's python3, installs uv into it
# and syncs the venv to the lock file. uv never downloads a Python.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="$ROOT_DIR/.venv"
PY="$VENV_DIR/bin/python"
UV_VERSION="0.13.9"

export UV_PYTHON_DOWNLOADS=never
export UV_LINK_MODE="${UV_LINK_MODE:-copy}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33m!!  %s\033[0m\n' "$*" >&2; }
die() {
    printf '\033[31mОшибка: %s\033[0m\n' "$*" >&2
    exit 1
}

is_root_with_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@"
}

# Debian packages the portal uses at run time: WeasyPrint's libraries and a Cyrillic font for the PDFs.
RUNTIME_DEBS="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"

missing_debs() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
    done
}

# ensure_debs WHAT PKG...: install what is missing when root, otherwise say what to install.
ensure_debs() {
    local what="$1" missing
    shift
    command -v dpkg-query >/dev/null 2>&1 || return 0
    missing=$(missing_debs "$@")
    [ -n "$missing" ] || return 0
    if is_root_with_apt; then
        say "Устанавливаю $what: $missing"
        # shellcheck disable=SC2086
        apt_install $missing || warn "не удалось установить: $missing"
    else
        warn "нет пакетов ($what): $missing — установите: sudo apt-get install $missing"
    fi
}

find_python() {
    command -v python3 >/dev/null 2>&1 || die "нужен python3 (3.11 или новее): apt-get install python3"
    python3 - <<'EOF' || die "нужен Python 3.11 или новее, а python3 — это $(python3 --version 2>&1)"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
EOF
}

create_venv() {
    # Debian and Ubuntu ship python3 without the venv module (it is in python3-venv).
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        if is_root_with_apt; then
            say "Устанавливаю python3-venv (apt-get)"
            local ver
            ver="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
            apt_install python3-venv || apt_install "python${ver}-venv" || true
            python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
                die "не удалось установить модуль venv для $(command -v python3). Установите пакет python3-venv (или python${ver}-venv) и запустите скрипт снова."
        else
            die "в python3 нет модуля venv. Установите пакет python3-venv: sudo apt-get install python3-venv — и запустите скрипт снова."
        fi
    fi
    say "Создаю виртуальное окружение .venv"
    rm -rf "$VENV_DIR"
    python3 -m venv "$VENV_DIR" || die "python3 -m venv не смог создать .venv"
}

# Lock files of this project: the dev lock holds everything the runtime lock does.
lock_digest() { sha256sum "$1" | cut -d' ' -f1; }

ensure_venv() {
    local lock="$ROOT_DIR/$1" stamp="$VENV_DIR/.synced-lock" want current
    cd "$ROOT_DIR"
    [ -f "$lock" ] || die "нет файла $1"
    find_python
    if [ ! -x "$PY" ] || ! "$PY" -c 'import sys' >/dev/null 2>&1; then
        create_venv
    fi
    if [ ! -x "$VENV_DIR/bin/uv" ] || [ "$("$VENV_DIR/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
        say "Устанавливаю uv $UV_VERSION в .venv"
        "$PY" -m pip install -q "uv==$UV_VERSION" || die "pip не смог установить uv"
    fi
    want="$(basename "$lock") $(lock_digest "$lock")"
    current="$(cat "$stamp" 2>/dev/null || true)"
    # run.sh after test.sh: a venv synced to the current dev lock already has every runtime
    # package, so it is kept instead of removing the test tools.
    if [ "$current" = "$want" ]; then
        return 0
    fi
    if [ "$1" = requirements.lock ] && [ -f "$ROOT_DIR/requirements-dev.lock" ] &&
        [ "$current" = "requirements-dev.lock $(lock_digest "$ROOT_DIR/requirements-dev.lock")" ]; then
        return 0
    fi
    say "Устанавливаю зависимости из $1"
    "$VENV_DIR/bin/uv" pip sync -q --python "$PY" --require-hashes "$lock" || die "uv pip sync $1 не удался"
    echo "$want" >"$stamp"
}
