#!/usr/bin/env bash
# Sets the portal up and runs it on the embedded default: SQLite, a Celery worker with
# embedded beat on kombu's filesystem broker, gunicorn on http://127.0.0.1:${PORT:-8000}.
# Safe to run again: every step is idempotent. Ctrl-C stops the web app and the worker.
set -euo pipefail

# shellcheck source=scripts/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

PORT="${PORT:-8000}"
HOST=127.0.0.1

ensure_venv requirements.lock
ensure_debs "библиотеки для печати PDF" $RUNTIME_DEBS
export PATH="$VENV_DIR/bin:$PATH"

if [ ! -f .env ]; then
    say "Создаю .env с новым DJANGO_SECRET_KEY"
    key="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
    (
        umask 077
        cat >.env <<EOF
# Создан scripts/run.sh. Остальные переменные и их значения по умолчанию — в .env.example.
DJANGO_SECRET_KEY=$key
EOF
    )
fi

# Links in e-mails point to this server unless .env names another address.
if [ -z "${PORTAL_BASE_URL:-}" ] && ! grep -q '^PORTAL_BASE_URL=' .env; then
    export PORTAL_BASE_URL="http://$HOST:$PORT"
fi

say "Применяю миграции"
"$PY" manage.py migrate --noinput
say "Собираю статические файлы"
"$PY" manage.py collectstatic --noinput -v 0
say "Загружаю демонстрационные данные"
"$PY" manage.py load_demo
say "Добавляю демонстрационную историю для статистики"
"$PY" manage.py stats_demo_history

log_dir="$(DJANGO_SETTINGS_MODULE=portal.settings "$PY" -c 'from django.conf import settings; print(settings.DATA_DIR)')/log"
mkdir -p "$log_dir"
worker_log="$log_dir/celery.log"

worker_pid=""
web_pid=""
stop_all() {
    trap - EXIT INT TERM
    if [ -n "$web_pid" ] && kill -0 "$web_pid" 2>/dev/null; then
        kill -TERM "$web_pid" 2>/dev/null || true
        wait "$web_pid" 2>/dev/null || true
    fi
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        say "Останавливаю Celery"
        kill -TERM "$worker_pid" 2>/dev/null || true
        for _ in $(seq 1 40); do
            kill -0 "$worker_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$worker_pid" 2>/dev/null || true
        wait "$worker_pid" 2>/dev/null || true
    fi
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

say "Запускаю Celery (worker и beat), журнал: $worker_log"
# The worker's log goes to the file; what it prints (the letters of the console e-mail backend) stays here.
CELERY_WORKER_REDIRECT_STDOUTS=false celery -A portal worker -B --pool=solo \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler -l info --logfile "$worker_log" &
worker_pid=$!

say "Запускаю веб-приложение (gunicorn), журнал запросов: $log_dir/access.log"
GUNICORN_ACCESS_LOG="$log_dir/access.log" GUNICORN_BIND="$HOST:$PORT" WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}" gunicorn -c "$ROOT_DIR/gunicorn.conf.py" portal.wsgi:application &
web_pid=$!

sleep 2
if ! kill -0 "$worker_pid" 2>/dev/null; then
    warn "Celery не запустился, см. $worker_log"
fi
if kill -0 "$web_pid" 2>/dev/null; then
    cat <<EOF

  Портал:         http://$HOST:$PORT/
  Администрирование платформы: http://$HOST:$PORT/admin/
  API:            http://$HOST:$PORT/api/v1/  (документация: http://$HOST:$PORT/api/docs/)
  Демо-учётные записи (пароль Demo-2026!): таблица в README.md, раздел «Демо-учётные записи».
  Одноразовые коды (SMS) и письма печатаются здесь, в рамках из ═══.
  Журнал запросов: $log_dir/access.log, журнал Celery: $worker_log.
  Остановить: Ctrl-C.

EOF
fi

set +e
wait "$web_pid"
rc=$?
set -e
web_pid=""
exit "$rc"
