"""What higher apps may hook into: accounts knows nothing of organisations, so those that do register here.

`access_report_listeners` are called with the AccessReport inside the transaction that records it, so that the
report and what the listeners write (an organisation's incident, its audit entry, the letters) exist together or
not at all.
"""

from collections.abc import Callable

access_report_listeners: list[Callable] = []
