"""Benchmark of the roster import: 2,000 students with parents into 80 classes, their links and the class kits.

    .venv/bin/python bench/roster.py [--students 2000 --classes 80]

It (1) recreates the throw-away database `portal_bench_roster` and migrates it; (2) makes one school with its
administrator and current academic year, and writes the students' file as an e-journal exports it (Windows-1251,
«;», Russian headers; each student with a birth date, one parent's name and phone; the classes do not exist yet);
(3) measures, on PostgreSQL, each phase as the administrator goes through it:
  - reading the file and the preview of every row (what the page and the API show before anything is written);
  - the confirmed import: one job, one transaction — the 80 classes created, 2,000 roster entries, a personal link
    per student and a parent's link per minor (4,000 links);
  - «Распечатать все комплекты» (A4 PDF, six cards with a QR code per page, each class from a new page) from the
    links just made, as its background job does it: the links read by the job's selector, each class's part made
    by the job's own function (roster.services.kits → invites.kits.kit_section_pdf) in one of `--processes`
    processes forked from this one (one per core by default), as a Celery worker's processes print the job's
    per-class tasks side by side, then the parts put together in order into one file (portal.pdf.pdfs_merge);
(4) prints the wall time and CPU (the printing processes' included) of each phase and of the whole (goal ≤ 30 s),
the queries of the import per row, and the peak memory of the process and of a printing process; then checks the
result (the counts, every kit a PDF, and that the same file again creates nothing) and drops the database, whatever
happened (`--keep-db` leaves it). Nothing leaves the machine: the PostgreSQL address must be loopback. Exit status 1
if a check failed.
"""

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from _common import DEFAULT_PG, bench_run

DB_NAME = "portal_bench_roster"  # the only database this script creates or drops
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов"]  # fmt: skip
NAMES = ["Александр", "Максим", "Иван", "Артём", "Дмитрий", "Никита", "Михаил", "Даниил", "Егор", "Андрей"]
PATRONYMICS = ["Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Алексеевич", "Игоревич", "Олегович"]
MOTHERS = ["Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Мария"]
LETTERS = "АБВГДЕЖИКЛМН"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=2000)
    p.add_argument("--classes", type=int, default=80)
    p.add_argument(
        "--kits", type=int, default=None, help="print the kits of this many classes only (default: every class)"
    )
    p.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes printing the kits side by side (default: one per core; 1 prints them one after another)",
    )
    p.add_argument("--db", default=DB_NAME, help="the throw-away database (its name starts with portal_bench)")
    p.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server (no database)")
    p.add_argument("--keep-db", action="store_true", help="leave the benchmark's database in place after the run")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    return p.parse_args(argv)


def class_names(count: int) -> list[str]:
    """Grades 1…11, as many letters as needed: 80 classes are about seven or eight a grade."""
    per_grade = -(-count // 11)
    return [f"{grade}{LETTERS[n]}" for n in range(per_grade) for grade in range(1, 12)][:count]


def in_letters(number: int) -> str:
    """A number written in letters («Б», «Ва», …): names take no digits, and each surname must be unique here."""
    word = ""
    while True:
        number, digit = divmod(number, len(LETTERS))
        word = LETTERS[digit].lower() + word
        if not number:
            return word.capitalize()


def students_file(students: int, classes: list[str]) -> bytes:
    """The e-journal's export: Windows-1251, «;», one parent per student; each surname unique (a double one)."""
    header = "Фамилия;Имя;Отчество;Класс;Дата рождения;ФИО родителя;Телефон родителя;Кем приходится"
    lines = [header]
    for n in range(students):
        cls = classes[n % len(classes)]
        grade = int(cls[:-1])
        surname = f"{SURNAMES[n % len(SURNAMES)]}-{in_letters(n // len(SURNAMES))}"
        name, patronymic = NAMES[n % len(NAMES)], PATRONYMICS[n % len(PATRONYMICS)]
        born = date(2026 - 6 - grade, 1 + n % 12, 1 + n % 28)
        mother = f"{surname}а {MOTHERS[n % len(MOTHERS)]} Петровна"
        phone = f"+7900{n:07d}"
        lines.append(f"{surname};{name};{patronymic};{cls};{born:%d.%m.%Y};{mother};{phone};мать")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def seed_school():
    from orgs.models import AcademicYear, Group, Membership, Organisation
    from orgs.permissions import permissions_sync_user
    from portal.accounts.models import User

    org = Organisation.objects.create(
        kind="school",
        full_name="Муниципальное бюджетное общеобразовательное учреждение «Нагрузочная школа»",
        short_name="Нагрузочная школа",
        address="г. Улан-Удэ, ул. Ленина, д. 1",
        region="Республика Бурятия",
        municipality="г. Улан-Удэ",
        time_zone="Asia/Irkutsk",
    )
    Group.objects.create(organisation=org, kind=Group.Kind.STAFF, name="Учительская")
    AcademicYear.objects.create(
        organisation=org, name="2026/2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31), is_current=True
    )
    admin = User.objects.create_user(phone="+79990000001", last_name="Администраторова", first_name="Анна")
    Membership.objects.create(organisation=org, user=admin, role=Membership.Role.ADMIN)
    permissions_sync_user(organisation=org, user=admin)
    return org, admin


@contextmanager
def measured(figures: dict, name: str):
    """Wall time, CPU time of the process and queries of a phase."""
    from django.db import connection

    counted = []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    with connection.execute_wrapper(count):
        yield
    figures[name] = {
        "seconds": round(time.perf_counter() - started, 2),
        # This process's CPU and its printing processes' (PostgreSQL's is not in it): on a busy machine it tells
        # more than the wall time.
        "cpu_seconds": round(time.process_time() - cpu + _children_cpu() - children, 2),
        "queries": len(counted),
    }


def _children_cpu() -> float:
    """CPU of the finished child processes (the kits' printing processes, once the pool is shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_children_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


_KITS: list = []  # (class, invites, organisation) of each kit, read before the printing processes are forked


def _print_kit(n: int) -> bytes:
    from roster.services.kits import kit_section_pdf  # what the job's per-class task prints with

    return kit_section_pdf(*_KITS[n])


def print_kits(kits: list, processes: int) -> list[bytes]:
    """The PDFs of the kits, each from its invites as read here (no query after this). A kit — its QR codes and its
    cards drawn on the PDF canvas — is pure CPU, so `processes` processes forked from this one print them side by
    side, as kits asked for at the same time are printed by different server workers."""
    from django.db import connections

    from portal.pdf import canvas_fonts

    _KITS[:] = kits
    try:
        if processes <= 1:
            return [_print_kit(n) for n in range(len(kits))]
        connections.close_all()  # the forked processes never use the database; none inherits an open connection
        canvas_fonts()  # loaded once here, not in each process, as a server worker keeps them
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_print_kit, range(len(kits))))
    finally:
        _KITS.clear()


def run_phases(args, run) -> tuple[dict, list[str]]:
    from django.db import transaction

    from invites.kits import CARDS_PER_PAGE
    from invites.models import Invite
    from orgs.models import Group
    from portal.pdf import pdfs_merge
    from roster.models import RosterEntry
    from roster.planning import plan_build
    from roster.selectors import roster_import_links
    from roster.services.apply import roster_import_apply
    from roster.services.imports import roster_import_allow_classes, roster_import_confirm, roster_import_create

    org, admin = seed_school()
    classes = class_names(args.classes)
    data = students_file(args.students, classes)
    figures: dict = {"file_bytes": len(data), "memory_before_mib": round(peak_mib(), 1)}

    run.step(f"reading and previewing {args.students:,} rows ({len(data) / 1024:.0f} KiB, Windows-1251)")
    with measured(figures, "preview"):
        imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="ученики.csv", data=data)
        roster_import_allow_classes(imp=imp, actor=admin, names=classes)
        plan = plan_build(imp)
    run.step(f"applying the import: {plan.totals.get('accepted', 0):,} rows, {len(classes)} classes to create")
    with measured(figures, "apply"):
        with transaction.atomic():
            roster_import_confirm(imp=imp, actor=admin)
        roster_import_apply(imp.pk)
    imp.refresh_from_db()

    kits = len(classes) if args.kits is None else min(args.kits, len(classes))
    run.step(f"printing the kit of {kits} of the {len(classes)} classes in {args.processes} process(es)")
    pages = 0
    with measured(figures, "kits"):
        jobs = []
        for group, invites in roster_import_links(imp)[:kits]:
            jobs.append((group, invites, org))
            pages += -(-len(invites) // CARDS_PER_PAGE)
        pdfs = print_kits(jobs, args.processes)
        merge_started = time.perf_counter()
        whole = pdfs_merge(pdfs)
        figures["kit_merge_seconds"] = round(time.perf_counter() - merge_started, 2)
    figures["kit_pages"], figures["kit_count"], figures["kit_processes"] = pages, kits, args.processes
    figures["kit_megabytes"] = round(len(whole) / 2**20, 2)
    figures["memory_peak_mib"] = round(peak_mib(), 1)
    figures["memory_peak_printing_mib"] = round(peak_children_mib(), 1)
    figures["result"] = imp.result

    problems = [f"kit {n + 1} is not a PDF" for n, pdf in enumerate(pdfs) if not pdf.startswith(b"%PDF-")]
    if not whole.startswith(b"%PDF-"):
        problems.append("the kits put together are not a PDF")
    expected = {"new": args.students, "links": 2 * args.students, "parent_links": args.students}
    for key, value in expected.items():
        if imp.result.get(key) != value:
            problems.append(f"{key}: {imp.result.get(key)} instead of {value}")
    if len(imp.result.get("classes_created", [])) != len(classes):
        problems.append(f"classes created: {len(imp.result.get('classes_created', []))} of {len(classes)}")
    run.step("the same file again: nothing new may be created")
    before = (RosterEntry.objects.count(), Invite.objects.count(), Group.objects.count())
    again = roster_import_create(organisation=org, actor=admin, kind="students", file_name="ученики.csv", data=data)
    with transaction.atomic():
        roster_import_confirm(imp=again, actor=admin)
    roster_import_apply(again.pk)
    if (RosterEntry.objects.count(), Invite.objects.count(), Group.objects.count()) != before:
        problems.append("the same file a second time created something")
    return figures, problems


def report(args, figures: dict) -> None:
    rows = args.students
    total = sum(figures[phase]["seconds"] for phase in ("preview", "apply", "kits"))
    figures["apply_queries_per_row"] = round(figures["apply"]["queries"] / rows, 3)
    figures["preview_queries_per_row"] = round(figures["preview"]["queries"] / rows, 4)
    print()
    print(f"Roster import benchmark, PostgreSQL: {rows:,} students with parents into {args.classes} classes")
    print(f"{'phase':<58}{'wall time':>10}{'CPU':>9}  queries")
    for phase, label in (
        ("preview", "read the file (cp1251, «;») and preview every row"),
        ("apply", "import: classes, entries, personal and parents' links"),
        (
            "kits",
            f"all class kits: {figures['kit_count']} parts, {figures['kit_pages']} A4 pages, "
            f"{figures['kit_processes']} proc.",
        ),
    ):
        row = figures[phase]
        print(f"{label:<58}{row['seconds']:>8.2f} s{row['cpu_seconds']:>7.2f} s  {row['queries']:>7,}")
    cpu = sum(figures[phase]["cpu_seconds"] for phase in ("preview", "apply", "kits"))
    if figures["kit_count"] < args.classes:
        # Only some kits printed (--kits): the rest at the same rate, so that the total is the whole sitting's.
        rest = figures["kits"]["seconds"] * (args.classes / figures["kit_count"] - 1)
        rest_cpu = figures["kits"]["cpu_seconds"] * (args.classes / figures["kit_count"] - 1)
        total, cpu = total + rest, cpu + rest_cpu
        print(f"{'the other kits, at the same rate (extrapolated)':<58}{rest:>8.2f} s{rest_cpu:>7.2f} s")
    figures["total_seconds"], figures["total_cpu_seconds"] = round(total, 2), round(cpu, 2)
    print(f"{'total (goal ≤ 30 s)':<58}{total:>8.2f} s{cpu:>7.2f} s")
    print(f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(
        f"queries per row: import {figures['apply_queries_per_row']}, preview {figures['preview_queries_per_row']}"
        " (the same at any size: tests/roster/test_services.py::test_query_count_does_not_grow_with_the_file)"
    )
    before, peak = figures["memory_before_mib"], figures["memory_peak_mib"]
    print(f"peak memory of the process: {peak} MiB (before the phases {before} MiB)", end="")
    if figures["kit_processes"] > 1:
        print(f"; of a printing process: {figures['memory_peak_printing_mib']} MiB", end="")
    print(f"; the kits' file weighs {figures['kit_megabytes']} MiB (put together in {figures['kit_merge_seconds']} s)")


def main(argv=None) -> int:
    args = parse_args(argv)
    storage = {"DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with bench_run(args, args.db, extra_env=storage) as run:
        figures, problems = run_phases(args, run)
        report(args, figures)
        if args.json:
            args.json.write_text(json.dumps({**figures, "problems": problems}, default=str, indent=2))
        run.step("done")
        if problems:
            print("FAILED: " + "; ".join(problems))
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
