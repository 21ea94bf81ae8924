import pytest

from tests.conftest import require_service

from .processes import PrivateRedis, redis_server_available


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own on a free port, which the test may kill and start again."""
    require_service(redis_server_available(), "needs redis-server on the PATH (Debian package redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()
