"""A device in plain words from its User-Agent: «Chrome, Windows», «Safari, iPhone», «Программа: curl»."""

import re

from django.utils.translation import gettext as _

# Order matters: Edge, Opera and Yandex Browser also say «Chrome», and Chrome also says «Safari».
BROWSERS = [
    (re.compile(r"YaBrowser/"), "Яндекс Браузер"),
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
]
SYSTEMS = [
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux"), "Linux"),
]
PROGRAM = re.compile(r"^([A-Za-z][\w.-]{0,40})/[\w.]+")


def describe_device(user_agent: str) -> str:
    """What a person would call the device: the browser and the system, or the program for an API client."""
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return _("Неизвестное устройство")
    browser = next((name for pattern, name in BROWSERS if pattern.search(user_agent)), None)
    system = next((name for pattern, name in SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser}, {system}"
    if browser or system:
        return browser or system
    program = PROGRAM.match(user_agent)
    if program and not user_agent.startswith("Mozilla/"):
        return _("Программа: %(name)s") % {"name": program.group(1)}
    return _("Неизвестное устройство")
