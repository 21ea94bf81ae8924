"""kombu's filesystem transport (the embedded default's broker) with messages written atomically.

kombu writes a message file in place: it creates the file, then writes it. A worker polling the
folder in between moves the still-empty file away and fails to decode it — an unrecoverable
error that stops the worker. Here the message is written under a name the readers skip, then
renamed into place; a rename within a folder is atomic, so a reader sees a whole message or none.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The name kombu gives a message; readers take `<anything>.<queue>.msg` only.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
