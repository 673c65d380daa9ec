"""The help centre's pages: public, GET only, the words typed kept, results escaped."""

import pytest
from django.urls import reverse

from tsc.help.models import Topic
from tsc.help.topics import TOPICS, search_text

pytestmark = pytest.mark.usefixtures("topics")
INDEX = "/help/"


def test_the_urls():
    assert reverse("help:index") == INDEX
    assert reverse("help:topic", args=["unlock-user"]) == "/help/unlock-user/"


def test_without_words_every_topic_is_listed_by_area(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    for topic in TOPICS:
        assert f'href="/help/{topic.slug}/"' in html
    assert "<h3>Bulk filing</h3>" in html
    assert html.index("<h3>Profile</h3>") < html.index("<h3>Status letters</h3>")


def test_an_area_alone_lists_its_topics(client):
    response = client.get(INDEX, {"area": "refunds"})
    assert [t.slug for _, topics in response.context["by_area"] for t in topics] == ["refund-status"]


def test_a_search_shows_title_area_and_marked_snippet_and_keeps_the_words(client):
    response = client.get(INDEX, {"q": "unlock user", "area": ""})
    html = response.content.decode()
    assert 'value="unlock user"' in html
    first = response.context["hits"][0]
    assert first.slug == "unlock-user"
    assert '<a class="usa-link" href="/help/unlock-user/">Unlock User</a>' in html
    assert '<span class="usa-tag">Users</span>' in html
    assert "<mark>unlock</mark>" in html.lower()


def test_the_area_filter_narrows_and_stays_selected(client):
    response = client.get(INDEX, {"q": "password", "area": "users"})
    hits = response.context["hits"]
    assert hits and {hit.area for hit in hits} == {"users"}
    assert '<option value="users" selected>Users</option>' in response.content.decode()
    assert "create-update-profile" not in {hit.slug for hit in hits}


def test_no_match_says_so_plainly(client):
    response = client.get(INDEX, {"q": "zebra"})
    assert response.context["hits"] == []
    assert "No topic matches your search." in response.content.decode()
    response = client.get(INDEX, {"q": "unlock", "area": "refunds"})
    assert "No topic matches “unlock” in Refunds" in response.content.decode()


def test_the_words_typed_are_escaped(client):
    response = client.get(INDEX, {"q": '"><script>alert(1)</script>'})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_titles_and_snippets_of_results_are_escaped(client):
    body = "Stripes <img src=x onerror=alert(1)> zebra."
    Topic.objects.create(slug="zebra", title="<i>Zebra</i>", area="users", body=body, search_text=search_text(body))
    html = client.get(INDEX, {"q": "zebra"}).content.decode()
    assert "<i>Zebra</i>" not in html and "&lt;i&gt;Zebra&lt;/i&gt;" in html
    assert "<img src=x" not in html


def test_bad_input_is_refused_next_to_the_field(client):
    response = client.get(INDEX, {"q": "x" * 201, "area": "nowhere"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"q", "area"}
    assert response.context["hits"] is None
    assert "at most 200 characters" in response.content.decode()


def test_a_topic_keeps_the_seed_s_paragraphs_and_lists(client):
    response = client.get("/help/unlock-user/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Unlock User</h1>" in html
    assert "<p>The TSC Administrator for the business is the only one" in html
    assert '<ul class="usa-list"><li>Manually enter a temporary password' in html
    assert "<li>Write down the temporary password and notify the user.</li>" in html
    assert 'href="/help/add-user/"' in html  # more help in the same area


def test_headings_inside_a_topic(client):
    html = client.get("/help/create-update-profile/").content.decode()
    assert "<h2>Contact Information</h2>" in html and "<h2>User Profile</h2>" in html
    assert "## " not in html


def test_an_unknown_topic_is_not_found(client):
    assert client.get("/help/no-such-topic/").status_code == 404


def test_signed_in_users_read_help_too(demo, signed_in):
    client = signed_in(demo.filer)
    response = client.get(INDEX, {"q": "unlock"})
    assert response.status_code == 200
    assert response.context["hits"][0].slug == "unlock-user"


def test_only_get(client):
    assert client.post(INDEX, {"q": "unlock"}).status_code == 405
