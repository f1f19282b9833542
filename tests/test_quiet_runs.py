"""A passing test prints nothing alarming: an exception raised in a thread during a test (a live server's request
thread that lost its database connection, a worker thread) fails that test instead of leaving a traceback beside a
green result, and pytest's deprecations are errors. Checked by running pytest with the project's settings on a
test made to do each."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

A_THREAD_RAISES = """
import threading


def test_a_thread_raises():
    worker = threading.Thread(target=lambda: 1 / 0)
    worker.start()
    worker.join()


def test_nothing_goes_wrong():
    assert True
"""


def test_an_exception_in_a_thread_fails_the_test_it_happened_in(tmp_path):
    test_file = Path(tmp_path, "test_threads.py")
    test_file.write_text(A_THREAD_RAISES, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(Path(settings.BASE_DIR, "pyproject.toml")), str(test_file)]
        + ["-q", "-p", "no:xdist", "-p", "no:cacheprovider"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout, run.stdout
    assert "PytestUnhandledThreadExceptionWarning" in run.stdout
