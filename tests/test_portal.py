"""What a crawl may fetch (spiders/reports.py `Portal`), and the reasons a failed request is given."""

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as network
from twisted.python.failure import Failure

from spiders.reports import Portal, failure_reason, on_portal

PORTAL = Portal.of("http://www.example.gov.cn/col/ndbg/index.html")
LOCAL = Portal.of("http://127.0.0.1:18080/zw/public-report")


@pytest.mark.parametrize(
    "url, fetched",
    [
        ("http://www.example.gov.cn/art/1.html", True),
        ("https://files.example.gov.cn/a.pdf", True),  # a subdomain, on the web's other port
        ("http://www.example.gov.cn:8080/admin", False),  # another service of the same host
        ("http://example.gov.cn.evil.com/a.pdf", False),
        ("http://169.254.169.254/latest/meta-data/", False),  # a cloud's metadata address
        ("file:///etc/hostname", False),
        ("http://www.example.gov.cn:notaport/", False),
        ("http://169.254.169.254\\@www.example.gov.cn/", False),  # Scrapy would fetch the host before the backslash
        ("http://user@www.example.gov.cn/", False),
        ("http://WWW.EXAMPLE.GOV.CN./art/1.html", True),
    ],
)
def test_a_portal_is_its_host_and_subdomains_on_its_own_port(url, fetched):
    assert on_portal(url, [PORTAL]) is fetched


def test_a_portal_on_a_loopback_address_is_only_its_own_port():
    assert LOCAL.holds("http://127.0.0.1:18080/zw/public-report/view/1")
    assert not LOCAL.holds("http://127.0.0.1:18999/admin") and not LOCAL.holds("http://127.0.0.1/")
    assert not LOCAL.holds("http://localhost:18080/")


def failure(exception, **meta) -> Failure:
    failed = Failure(exception)
    failed.request = Request("http://www.example.gov.cn/a.pdf", meta=meta)
    return failed


def test_failures_are_given_reasons_a_user_acts_on():
    not_found = HttpError(Response("http://www.example.gov.cn/a.pdf", status=404), "Ignoring non-200 response")
    assert failure_reason(failure(not_found)) == "the server answered HTTP 404 (Not Found)"
    assert (
        failure_reason(failure(IgnoreRequest("redirected off the portal to http://x/")))
        == "redirected off the portal to http://x/"
    )
    cancelled = failure_reason(failure(defer.CancelledError(), download_maxsize=50_000_000))
    assert "larger than the 50,000,000-byte limit (GXCRAWL_MAX_ATTACHMENT_BYTES" in cancelled
    assert "did not answer in time" in failure_reason(failure(network.TimeoutError()))
    assert "www.example.gov.cn could not be resolved" in failure_reason(failure(network.DNSLookupError()))
    assert "refused the connection" in failure_reason(failure(network.ConnectionRefusedError()))
