"""Filtered Topic Search: the database's own full-text search, ranked, narrowed to an area.

SQLite: the FTS5 table `help_topic_fts` (porter stemming), ranked by bm25 with the title
weighing ten times the body. PostgreSQL: the generated `search` tsvector (title weight A, body
B), ranked by ts_rank with A five times B. Both made in migration 0002.

What the visitor typed never reaches either query language as written: it is cut into words
(letters and digits), the common English words PostgreSQL's "english" configuration ignores are
dropped on both engines alike, and every remaining word must match (the last one also as the
start of a word: "waive" finds "waiver"). Snippets come from the database with control
characters around the matched words; the text is escaped and only then are those turned into
<mark> elements.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Area

MAX_WORDS = 12
MAX_RESULTS = 50
_START, _STOP = "\x02", "\x03"  # never in a topic's text; marks a matched word in a snippet
_WORD = re.compile(r"[^\W_]+")

# PostgreSQL's english.stop (the Snowball list): words ignored on both engines, so that a query
# such as "how do I unlock a user" means the same on SQLite as on PostgreSQL.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves what which who whom this that
    these those am is are was were be been being have has had having do does did doing a an the and
    but if or because as until while of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then once here
    there when where why how all any both each few more most other some such no nor not only own same
    so than too very s t can will just don should now
    """
STOPWORDS = frozenset(_ENGLISH_STOP.split())


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    area: str
    snippet: SafeString

    @property
    def area_label(self) -> str:
        return Area(self.area).label


def search_words(query: str) -> list[str]:
    """The words of a query that take part in the search."""
    words = [w.lower() for w in _WORD.findall(query)][:MAX_WORDS]
    return [w for w in words if w not in STOPWORDS]


def topic_search(query: str, *, area: str = "") -> list[Hit]:
    """Topics matching every word of `query` (in `area` if given), best first."""
    words = search_words(query)
    if not words:
        return []
    if connection.vendor == "postgresql":
        sql, params = _postgresql(words, area)
    else:
        sql, params = _sqlite(words, area)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Hit(slug=slug, title=title, area=area, snippet=_marked(snip)) for slug, title, area, snip in rows]


def _sqlite(words: list[str], area: str) -> tuple[str, list]:
    # Each word quoted (an FTS5 string), the last also as a prefix; space means AND.
    match = " ".join(f'"{w}"' for w in words) + "*"
    sql = (
        "SELECT t.slug, t.title, t.area, snippet(help_topic_fts, 1, %s, %s, '…', 24)"
        " FROM help_topic_fts JOIN help_topic t ON t.id = help_topic_fts.rowid"
        " WHERE help_topic_fts MATCH %s"
    )
    params: list = [_START, _STOP, match]
    if area:
        sql += " AND t.area = %s"
        params.append(area)
    sql += " ORDER BY bm25(help_topic_fts, 10.0, 1.0), t.position LIMIT %s"
    return sql, [*params, MAX_RESULTS]


def _postgresql(words: list[str], area: str) -> tuple[str, list]:
    tsquery = " & ".join(words) + ":*"
    options = f'StartSel={_START}, StopSel={_STOP}, MaxWords=18, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "'
    sql = (
        "SELECT t.slug, t.title, t.area, ts_headline('english', t.search_text, q, %s)"
        " FROM help_topic t, to_tsquery('english', %s) q"
        " WHERE t.search @@ q"
    )
    params: list = [options, tsquery]
    if area:
        sql += " AND t.area = %s"
        params.append(area)
    sql += " ORDER BY ts_rank('{0.1, 0.2, 0.2, 1.0}', t.search, q) DESC, t.position LIMIT %s"
    return sql, [*params, MAX_RESULTS]


def _marked(raw: str) -> SafeString:
    """A snippet as HTML: its text escaped, its matched words in <mark>."""
    text = " ".join(raw.split())
    html = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 -- escaped above; only our own <mark> tags are added
