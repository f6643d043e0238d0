"""The analyst's home page leads to their work: populations, case lists, the model card and
outcomes; other roles are not offered the analyst's links."""

from joinedcare.staff.roles import Role
from tests import factories

ANALYST_LINKS = (
    'href="/places/"',
    'href="/case-lists/"',
    'href="/case-lists/runs/latest/card/"',
    'href="/outcomes/"',
)


def _main(page: str) -> str:
    """The page's content, without the header menu (which has its own links)."""
    return page[page.index('id="maincontent"') :]


def test_analyst_home_links_to_case_lists_model_card_and_outcomes(client, db):
    client.force_login(factories.staff(Role.ANALYST))
    main = _main(client.get("/").text)
    for link in ANALYST_LINKS:
        assert link in main, link
    # Other roles are not offered the analyst's model card.
    for role in (Role.GP, Role.LOCALITY_MANAGER, Role.PRIVACY_OFFICER):
        client.force_login(factories.staff(role))
        assert "/case-lists/runs/latest/card/" not in _main(client.get("/").text), role
