"""The services the regulations forbid for teaching and school communication."""

# The list the regulations name (the federal recommendation); an organisation's own list, once its content rules
# are kept as data, is read by `forbidden_services` below, and the documents are written from what it returns.
DEFAULT_FORBIDDEN_SERVICES = (
    "Discord",
    "Microsoft Teams",
    "Skype for Business",
    "Snapchat",
    "Telegram",
    "Threema",
    "Viber",
    "WhatsApp",
    "WeChat",
)


def forbidden_services(organisation) -> list[str]:
    """The names of the services forbidden in this organisation, in the order the documents list them."""
    return list(DEFAULT_FORBIDDEN_SERVICES)
