"""What a refresh fetches (spiders/refresh.py), decided from what the database holds."""

from datetime import date, timedelta

import pytest

from gxcrawl.store.refresh import StoredPage
from spiders.refresh import RefreshPolicy

RECENT = (date.today() - timedelta(days=3)).isoformat()
WALKED = "2026-11-01T02:00:00+00:00"  # before the last run ended
STORED = {
    "http://p/view/1": StoredPage(
        "http://p/view/1", "2023-01-31", '"a1"', "Tue, 31 Jan 2023 00:00:00 GMT", first_stored=WALKED
    ),
    "http://p/view/2": StoredPage(
        "http://p/view/2", RECENT, None, "Sat, 21 Nov 2026 00:00:00 GMT", first_stored=WALKED
    ),
    "http://p/view/3": StoredPage("http://p/view/3", RECENT, None, None, first_stored=WALKED),
    "http://p/view/5": StoredPage("http://p/view/5", RECENT, '"a5"', None, attachments=1, first_stored=WALKED),
    # Stored after the last walk, by a run over other lists: it vouches for nothing after it.
    "http://p/view/6": StoredPage(
        "http://p/view/6", "2023-01-31", None, None, first_stored="2026-11-10T09:00:00+00:00"
    ),
}
GOOD = {"exit_status": 0, "walk": "complete", "ended": "2026-11-02T03:00:00+00:00"}


def policy(*arguments, **known) -> RefreshPolicy:
    made = RefreshPolicy.from_arguments(*arguments)
    made.stored = STORED
    made.failed = {"http://p/view/9": WALKED}
    made.last_run = known.get("last_run", GOOD)
    return made


def test_by_default_only_pages_not_stored_are_fetched():
    new = policy()
    assert new.headers_for("http://p/view/4") == {}
    assert new.headers_for("http://p/view/9") == {}  # could not be read before: tried again
    assert [new.headers_for(url) for url in STORED] == [None] * len(STORED)


def test_refresh_all_fetches_everything_plainly_and_walks_every_page():
    everything = policy("all")
    assert [everything.headers_for(url) for url in STORED] == [{}] * len(STORED)
    assert not everything.walks_sequentially


def test_recent_reports_are_rechecked_with_the_validators_they_came_with():
    recheck = policy(None, "7")
    assert recheck.headers_for("http://p/view/1") is None  # published long ago
    assert recheck.headers_for("http://p/view/2") == {"If-Modified-Since": "Sat, 21 Nov 2026 00:00:00 GMT"}
    assert recheck.headers_for("http://p/view/3") == {}  # no validators: a plain request
    assert recheck.headers_for("http://p/view/5") == {}  # read from an attachment: the page's 304 would not tell
    assert policy(None, "10000").headers_for("http://p/view/1") == {
        "If-None-Match": '"a1"',
        "If-Modified-Since": "Tue, 31 Jan 2023 00:00:00 GMT",
    }


def test_an_ordered_walk_stops_at_a_page_of_reports_seen_before():
    new = policy()
    assert new.walks_sequentially
    assert new.only_seen_before(["http://p/view/1", "http://p/view/9"])
    assert not new.only_seen_before(["http://p/view/1", "http://p/view/4"])
    assert not new.only_seen_before(["http://p/view/1", "http://p/view/6"])
    # A page with a report due for a recheck is not the end of the walk.
    assert not policy(None, "7").only_seen_before(["http://p/view/1", "http://p/view/2"])


@pytest.mark.parametrize(
    "last_run",
    [
        None,
        {"exit_status": None, "walk": None},
        {"exit_status": 1, "walk": "complete"},
        {"exit_status": 0, "walk": "partial"},
        {"exit_status": 0, "walk": "ids"},
    ],
)
def test_no_early_stop_unless_the_last_run_over_the_list_succeeded(last_run):
    assert not policy(last_run=last_run).walks_sequentially


def test_no_early_stop_when_asked_not_to():
    assert not policy(None, None, "off").walks_sequentially
    assert policy(None, None, "on").walks_sequentially


@pytest.mark.parametrize("arguments", [("everything",), (None, "-1"), (None, "x"), (None, None, "maybe")])
def test_bad_arguments_are_refused(arguments):
    with pytest.raises(ValueError):
        RefreshPolicy.from_arguments(*arguments)


def test_no_early_stop_on_a_site_whose_lists_are_not_newest_first():
    unordered = RefreshPolicy.from_arguments(newest_first=False)
    unordered.last_run = GOOD
    assert not unordered.walks_sequentially
