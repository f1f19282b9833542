import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_back():
    """A request with the English language cookie leaves English active for the thread (the locale middleware
    activates it); the tests that run after it in the same worker expect the Russian interface again."""
    language = translation.get_language()
    yield
    translation.activate(language)
