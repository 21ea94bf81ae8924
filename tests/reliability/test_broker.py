"""The embedded default's filesystem broker writes each message atomically, so a worker polling the
folder never takes a message that is still being written."""

from queue import Empty

import pytest
from kombu import Connection


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    connection = Connection(
        "filesystem://",
        transport="slaportal.broker:Transport",
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)},
    )
    yield connection.default_channel, folder
    connection.release()


def test_a_message_appears_whole_under_its_final_name(channel):
    # given
    chan, folder = channel
    # when
    chan._put("sla", {"body": "x" * 10_000})
    # then
    files = [path.name for path in folder.iterdir()]
    assert len(files) == 1 and files[0].endswith(".sla.msg")
    assert chan._get("sla") == {"body": "x" * 10_000}


def test_a_message_still_being_written_is_not_taken(channel):
    # given: a file under the name a message has while it is written
    chan, folder = channel
    (folder / ".1_abc.sla.msg.part").write_bytes(b"")
    # then
    with pytest.raises(Empty):
        chan._get("sla")
