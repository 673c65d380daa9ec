"""Filtered Topic Search on the database's own full-text index (the suite runs on SQLite and on
PostgreSQL: each case holds on both)."""

import re

import pytest
from django.db import connection

from tsc.help.models import Topic
from tsc.help.search import search_words, topic_search
from tsc.help.topics import search_text

pytestmark = pytest.mark.usefixtures("topics")


def slugs(query, **kwargs):
    return [hit.slug for hit in topic_search(query, **kwargs)]


def test_unlock_finds_unlock_user_first():
    assert slugs("unlock")[0] == "unlock-user"


def test_status_letter_finds_what_is_a_status_letter_first():
    assert slugs("status letter")[0] == "what-is-a-status-letter"


def test_a_title_match_weighs_more_than_words_in_a_body():
    # "bank" is in the body of several topics; one has it in its title.
    found = slugs("bank")
    assert len(found) > 2
    assert found[0] == "update-banking-information"


def test_every_word_must_match():
    assert slugs("penalty waiver") == ["penalty-waiver"]
    assert slugs("unlock zebra") == []


def test_words_are_matched_by_their_stem_and_the_last_as_a_beginning():
    assert "refund-status" in slugs("refunds")
    assert slugs("waive") == ["penalty-waiver"]  # the start of "waiver"


def test_a_question_in_plain_words_finds_the_topic():
    assert slugs("How do I unlock a user?")[0] == "unlock-user"


def test_the_area_filter_narrows_the_results_to_its_area():
    everywhere = topic_search("password")
    assert {hit.area for hit in everywhere} > {"users"}
    in_users = topic_search("password", area="users")
    assert in_users and {hit.area for hit in in_users} == {"users"}
    assert {hit.slug for hit in in_users} < {hit.slug for hit in everywhere}
    assert topic_search("unlock", area="refunds") == []


def test_query_syntax_typed_by_a_visitor_is_only_words():
    for query in ['unlock" OR "', "NEAR(unlock", "unlock*", "unlock & !user", "'; drop table help_topic; --", "-:^"]:
        topic_search(query)  # no syntax error from either engine
    assert slugs('"unlock"') == ["unlock-user"]
    assert search_words("Unlock_user's STATUS-box!") == ["unlock", "user", "status", "box"]


def test_nothing_is_searched_for_common_words_alone():
    assert search_words("how do I") == []
    assert topic_search("how do I") == []
    assert topic_search("   ") == []


def test_a_result_has_the_title_the_area_and_a_snippet_with_the_words_marked():
    hit = topic_search("status letter")[0]
    assert hit.title == "What is a status letter?"
    assert hit.area_label == "Status letters"
    assert "<mark>status</mark>" in hit.snippet.lower()
    assert "<mark>letter</mark>" in hit.snippet.lower()


def _topic(slug, title, body, area="users"):
    return Topic.objects.create(slug=slug, title=title, area=area, body=body, search_text=search_text(body))


def test_snippets_escape_the_text_and_mark_only_the_matched_words():
    _topic("scripted", "Scripted", 'Beware <script>alert("zebra")</script> & <b>zebra</b> crossings.')
    (hit,) = topic_search("zebra")
    # PostgreSQL's headline leaves tags out, SQLite's snippet keeps them as text: escaped either way.
    assert "<mark>zebra</mark>" in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>")
    assert not re.search(r"[<>]", re.sub(r"</?mark>", "", hit.snippet))
    assert "&amp;" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet or "script" not in hit.snippet


def test_the_index_follows_changes_to_the_topics():
    topic = _topic("zebra", "Zebra crossings", "Stripes.")
    assert slugs("zebra") == ["zebra"]
    topic.title, topic.search_text = "Pelican crossings", "Lights."
    topic.save()
    assert slugs("zebra") == []
    assert slugs("pelican") == ["zebra"]
    topic.delete()
    assert slugs("pelican") == []


def test_the_index_is_the_database_engines_own():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'help_topic' AND column_name = 'search'"
            )
            assert cursor.fetchone() == ("tsvector",)
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'help_topic_fts'")
            assert "fts5" in cursor.fetchone()[0].lower()
