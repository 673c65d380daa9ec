import pytest


@pytest.fixture
def topics(db):
    """The help text's topics. Migration 0003 loads them, but a test that flushes the database
    (transactional tests, the browser journeys) empties the table: load them again."""
    from tsc.help.services import topics_load

    topics_load()
