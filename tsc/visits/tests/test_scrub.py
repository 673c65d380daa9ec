"""What of a URL may be logged: every kind of personal data the policy names is stripped."""

import pytest

from tsc.visits.scrub import scrub_path, scrub_query, scrub_url, scrub_user_agent


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        (
            "page=2&tax_type=ST&search_by=period_end&status=PROCESSED",
            "page=2&tax_type=ST&search_by=period_end&status=PROCESSED",
        ),
        ("ssn=123-45-6789&page=2", "page=2"),  # a name not on the allow-list: dropped whole
        ("status=123-45-6789", ""),  # SSN, even under an allowed name
        ("status=123 45 6789", ""),
        ("status=06-1234567", ""),  # FEIN
        ("status=1234567-000", ""),  # registration number
        ("status=jane%40example.com", ""),  # e-mail
        ("status=jane@example.com", ""),
        ("page=021000021", ""),  # routing number
        ("page=12345678901", ""),  # account number
        ("page=1234567", ""),  # any run of 7 digits
        ("page=123456", "page=123456"),  # 6 digits: a page number, not personal
        ("q=Nutmeg+Hardware&page=1", "page=1"),  # free text is never kept
        ("registration_number=1234567-000", ""),
        ("amount=412.00&date=11%2F24%2F2026", ""),
        ("status=" + "A" * 41, ""),  # long values are not choices
        ("status=<script>", ""),
        ("", ""),
    ],
)
def test_queries_keep_only_harmless_allowed_parameters(query, kept):
    assert scrub_query(query) == kept


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/backoffice/taxpayers/12/", "/backoffice/taxpayers/12/"),
        ("/administrator-contact/", "/administrator-contact/"),
        ("/lookup/123-45-6789/", "/lookup/*/"),  # SSN
        ("/lookup/123456789/", "/lookup/*/"),
        ("/lookup/06-1234567/", "/lookup/*/"),  # FEIN
        ("/lookup/1234567-000/x/", "/lookup/*/x/"),  # registration number
        ("/lookup/jane@example.com/", "/lookup/*/"),  # e-mail
        ("/bank/021000021/4001234567/", "/bank/*/*/"),  # routing and account
        ("/announcements/unsubscribe/Zq3xY8pL2mN4vB6cD0eF1gH5jK7/", "/announcements/unsubscribe/*/"),  # a token
        ("/uploads/3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b/", "/uploads/*/"),
        ("/a\tb\nc/", "/abc/"),  # control characters never reach the log
    ],
)
def test_paths_mask_personal_segments_and_tokens(path, logged):
    assert scrub_path(path) == logged


@pytest.mark.parametrize(
    ("referrer", "logged"),
    [
        ("https://portal.ct.gov/drs?page=2", "https://portal.ct.gov/drs?page=2"),
        ("https://jane:secret@example.com/x", "https://example.com/x"),  # credentials dropped
        ("https://example.com/search?q=123-45-6789&page=3#ssn", "https://example.com/search?page=3"),
        ("https://example.com/u/jane@example.com/?email=jane@example.com", "https://example.com/u/*/"),
        ("https://example.com/find?fein=06-1234567&tin=123456789", "https://example.com/find"),
        ("https://example.com:8443/r/1234567-000", "https://example.com:8443/r/*"),
        ("http://127.0.0.1:8000/payments/?routing=021000021&account=4001234567", "http://127.0.0.1:8000/payments/"),
        ("android-app://com.example/", ""),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_referrers_are_stripped_the_same_way(referrer, logged):
    assert scrub_url(referrer) == logged


def test_user_agents_lose_contact_addresses_and_long_numbers():
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36"
    assert scrub_user_agent(chrome) == chrome
    assert (
        scrub_user_agent("ExampleBot/1.0 (+mailto:bot@example.com; id 4001234567)")
        == "ExampleBot/1.0 (+mailto:*; id *)"
    )
