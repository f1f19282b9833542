"""Text bound for spreadsheets (CSV, XLSX) made safe to open."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A leading apostrophe keeps a spreadsheet from running text as a formula (OWASP CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
