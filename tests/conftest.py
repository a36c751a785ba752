import pytest

from tests.stack import new_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """One real stack shared by the integration tests; each test uses its own user ids."""
    running = new_stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
