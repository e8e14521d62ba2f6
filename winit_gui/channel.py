"""Messages between the GUI process and its engine child over a pair of pipes.

Each message is an 8-byte length and a pickle: what multiprocessing's Connection does, but on
any binary pipe (the child's stdin and stdout), so the child can be a plain interpreter started
with ``python -m``. Only the two ends of one app's pipes ever read these bytes: nothing a user
opens goes through here.
"""

from __future__ import annotations

import struct
from multiprocessing.reduction import ForkingPickler
from typing import BinaryIO

_HEADER = struct.Struct("!Q")


def write(pipe: BinaryIO, message) -> None:
    data = bytes(ForkingPickler.dumps(message))
    pipe.write(_HEADER.pack(len(data)) + data)
    pipe.flush()


def read(pipe: BinaryIO):
    """The next message; EOFError when the other end has closed the pipe."""
    (size,) = _HEADER.unpack(_exactly(pipe, _HEADER.size))
    return ForkingPickler.loads(_exactly(pipe, size))


def _exactly(pipe: BinaryIO, size: int) -> bytes:
    data = pipe.read(size)
    if len(data) < size:
        raise EOFError
    return data
