"""Regression: PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to True on every
Signal.emit and aborts the process ("bool_dealloc") after a few thousand emits. pyproject.toml
excludes that release; this test fails (the process dies) if it ever comes back."""

import subprocess
import sys
import textwrap

EMITS = 20_000


def test_twenty_thousand_emits_leave_the_interpreter_alive():
    # In a subprocess: the failure mode is an abort that would take pytest down with it.
    code = textwrap.dedent(f"""
        import sys
        from PySide6 import QtCore

        class Source(QtCore.QObject):
            fired = QtCore.Signal(bool)

        source = Source()
        seen = []
        source.fired.connect(seen.append)
        before = sys.getrefcount(True)
        for _ in range({EMITS}):
            source.fired.emit(True)
        print(len(seen), sys.getrefcount(True) - before)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, result.stderr
    received, leaked = map(int, result.stdout.split())
    assert received == EMITS
    # Receivers hold one reference each to True; a per-emit leak would show as a loss near -EMITS.
    assert leaked >= -100
