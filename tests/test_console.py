"""The embedded default's console (scripts/run.sh): one-time codes and letters printed once, readable and framed;
the libraries' chatter and the access log kept off it."""

import io
import logging
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from kombu import Connection

from portal.accounts.senders import ConsoleSmsSender
from portal.mail.console import ReadableConsoleBackend

ROOT = Path(settings.BASE_DIR)


def test_a_russian_letter_is_printed_as_a_person_reads_it():
    stream = io.StringIO()
    backend = get_connection("portal.mail.console.ReadableConsoleBackend", stream=stream)
    letter = EmailMessage("Заявка в «Школа № 7» одобрена", "Ваша заявка одобрена. Войдите: http://x/", to=["a@b.ru"])
    assert backend.send_messages([letter]) == 1
    out = stream.getvalue()
    assert "ПИСЬМО для a@b.ru" in out
    assert "Тема: Заявка в «Школа № 7» одобрена" in out
    assert "Ваша заявка одобрена. Войдите: http://x/" in out
    assert "=?utf-8?" not in out and "base64" not in out and "Content-Transfer-Encoding" not in out
    assert out.count("Ваша заявка одобрена") == 1
    assert out.splitlines()[1] == "═" * 72  # framed, to stand out among the server's lines


def test_djangos_console_backend_printed_the_same_letter_in_base64():
    """What the console showed before: the reason for the backend above."""
    stream = io.StringIO()
    get_connection("django.core.mail.backends.console.EmailBackend", stream=stream).send_messages(
        [EmailMessage("Заявка одобрена", "Ваша заявка одобрена.", to=["a@b.ru"])]
    )
    assert "Заявка одобрена" not in stream.getvalue()


def test_the_console_e_mail_default_is_the_readable_backend(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    namespace = runpy.run_path(str(ROOT / "portal" / "settings.py"))
    assert namespace["EMAIL_BACKEND"] == "portal.mail.console.ReadableConsoleBackend"
    assert issubclass(ReadableConsoleBackend, mail.backends.base.BaseEmailBackend)


def test_a_one_time_code_is_printed_once(capsys, caplog):
    caplog.set_level(logging.DEBUG)
    ConsoleSmsSender().send(phone="+79000000002", text="Код для входа на портал: 123456")
    printed = capsys.readouterr()
    everything = printed.out + printed.err + caplog.text
    assert everything.count("123456") == 1
    assert "SMS для +79000000002" in printed.out and "═" * 72 in printed.out


@pytest.mark.parametrize("library", ["weasyprint", "fontTools", "fontTools.subset", "kombu", "kombu.connection"])
def test_library_chatter_below_warning_stays_off_the_console(library):
    logger = logging.getLogger(library)
    assert not logger.isEnabledFor(logging.INFO)
    assert logger.isEnabledFor(logging.WARNING)


def test_the_embedded_broker_names_its_host_so_kombu_does_not_warn(caplog):
    assert settings.CELERY_BROKER_URL.startswith("filesystem://")
    connection = Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    with caplog.at_level(logging.WARNING, logger="kombu"):
        connection.as_uri()
        connection._info()
    assert "No hostname was supplied" not in caplog.text


def test_run_sh_writes_the_access_log_to_a_file_and_keeps_the_workers_letters_on_the_console(monkeypatch):
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'GUNICORN_ACCESS_LOG="$log_dir/access.log"' in script
    assert "CELERY_WORKER_REDIRECT_STDOUTS=false celery" in script and '--logfile "$worker_log"' in script
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "/tmp/x/access.log")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["accesslog"] == "/tmp/x/access.log"
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["accesslog"] is None
    monkeypatch.delenv("GUNICORN_ACCESS_LOG")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["accesslog"] == "-"  # the production stack's console
