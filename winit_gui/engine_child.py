"""The engine's child process: ``python -m winit_gui.engine_child`` (started by EngineProcess).

It reads the Settings (with the serial to count on from) and then Commands from stdin and
writes Snapshots to stdout. Its stdin closing, however the GUI process ended, is a QUIT: the
child never outlives its parent.
"""

import signal

# Ctrl+C in a terminal reaches the whole process group: the GUI process handles it and ends
# this one through the pipe; a KeyboardInterrupt here would only print a second traceback.
signal.signal(signal.SIGINT, signal.SIG_IGN)

import os  # noqa: E402
import queue  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402

from winit_gui import channel, engine  # noqa: E402


def _read_commands(stdin, commands: queue.Queue) -> None:
    try:
        while True:
            commands.put(channel.read(stdin))
    except (EOFError, OSError):
        commands.put(engine.Command(engine.QUIT))


def main() -> None:
    # Private copies of the pipes: snapshots own the real stdout, and anything else printed (a
    # library's notice) goes to stderr instead of corrupting the message stream.
    stdin = os.fdopen(os.dup(0), "rb")
    snapshots_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        settings, last_serial = channel.read(stdin)
    except EOFError:
        return  # the GUI process was gone before it said anything
    # A command arrives in a thread that waits on the pipe: the interpreter hands it the GIL
    # within this interval while the training loop runs (default 5 ms: a slider move's latency).
    sys.setswitchinterval(0.001)
    commands: queue.Queue = queue.Queue()
    threading.Thread(target=_read_commands, args=(stdin, commands), name="winit-commands", daemon=True).start()

    def send(snap) -> None:
        try:
            channel.write(snapshots_out, snap)
        except (BrokenPipeError, ConnectionResetError):
            commands.put(engine.Command(engine.QUIT))

    engine.serve(settings, commands, send, last_serial)


if __name__ == "__main__":
    # os._exit, as multiprocessing's children do: the command thread may still be blocked
    # reading stdin, and the interpreter's teardown would abort on that pipe's lock.
    try:
        main()
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    os._exit(0)
