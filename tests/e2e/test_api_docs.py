"""The API docs page (Swagger UI) works under the portal's strict CSP with nothing loaded from another host."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db


def test_the_api_docs_render_from_the_portals_own_files(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name="Портал образовательной организации — REST API")).to_be_visible(
        timeout=20_000
    )
    # Swagger UI draws only the operations near the screen: scroll down until the chats' list is drawn.
    chats = page.locator(".opblock-summary-path", has_text="/api/v1/orgs/{org_pk}/chats/").first
    for _ in range(200):
        if chats.count():
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    expect(chats).to_be_visible()
    assert hosts - {""} == {urlsplit(live_server.url).netloc}  # "" for data: URIs
