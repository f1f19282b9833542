"""A queryset's statement compiled once per process and run again with new values: for the reads a page makes on
every request, where the ORM's compiling (~1.6 ms for the chat page's fifty messages with their authors, quotes and
polls, against ~0.3 ms to run the statement) costs more than the database.

The queryset is built by a function of its values, called once with stand-ins (negative integers that no row has);
the statement's parameters must be those stand-ins, each where the function put it, so that the real values take
their places. The rows become instances as the queryset's own iteration makes them (Django's converters, the
`select_related` objects set on each row), through the compiler kept from that first compiling. Nothing is kept but
the statement and how to read its rows: the values and the rows are each call's own. A text column's stand-in is
the integer's digits (the lookup's own conversion), and its value is passed as text."""

import threading

from django.db import connections, router
from django.db.models.query import get_related_populators


class _Plan:
    def __init__(self, queryset, stand_ins: tuple, alias: str):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        # A text column's lookup turns its stand-in into text: found by its digits.
        keys = [str(s) for s in stand_ins]
        try:
            self.order = [keys.index(str(p)) for p in params]
        except ValueError:
            raise ValueError(f"parameters {params!r} are not all stand-ins {stand_ins!r}") from None
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())
        self.model = klass_info["model"]
        self.compiler = compiler


class Compiled:
    """`Compiled(Message, lambda chat_id, before: Message.objects.filter(...), arity=2)`; calling it with the values
    gives the list of instances the queryset would give."""

    def __init__(self, model, make, *, arity: int):
        self._model = model
        self._make = make
        self._stand_ins = tuple(-7_300_001 - n for n in range(arity))
        self._plans: dict = {}
        self._lock = threading.Lock()

    def _plan(self, alias: str) -> _Plan:
        connection = connections[alias]
        key = (alias, connection.vendor)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or _Plan(self._make(*self._stand_ins), self._stand_ins, alias)
                self._plans[key] = plan
        return plan

    def __call__(self, *values) -> list:
        alias = router.db_for_read(self._model)
        plan = self._plan(alias)
        params = [values[n] for n in plan.order]
        with connections[alias].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        objects = []
        for row in plan.compiler.results_iter([rows]):
            obj = plan.model.from_db(alias, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
