"""Russian typography of the texts the portal writes around names it does not control."""

INNER = str.maketrans({"«": "„", "»": "“"})


def inner_quotes(text) -> str:
    """A name to be put inside «…»: its own «…» become „…“, so that quotes never nest as «…«…»…»."""
    return str(text).translate(INNER)
