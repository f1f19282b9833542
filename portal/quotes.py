"""Quotes inside quotes: Russian typography puts „…“ inside «…» («Школа „Гимназия № 1“»), never «…«…»…»."""

INNER = str.maketrans({"«": "„", "»": "“"})


def inner_quotes(text) -> str:
    """The text as it stands inside «…»: its own «» become „“. Call it on a value that goes between «»."""
    return str(text).translate(INNER)


def quoted(text) -> str:
    """«text», with the text's own quotes made inner ones."""
    return f"«{inner_quotes(text)}»"
