"""benchmarks/run.py's output, on its quickest section (timings themselves are never asserted)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def run(*args):
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=120)


def test_json_is_one_object_with_every_figure_next_to_its_target_and_reference():
    result = run("--quick", "--json", "--only", "training")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["mode"] == "quick"
    figures = out["figures"]
    assert [f["name"] for f in figures] == [
        "trainer steps/s, 2->6x8 tanh b32, alone", "trainer steps/s, 2->10x64 tanh b128, alone",
        "trainer steps/s, 784->4x512 relu->10 b256, alone"]
    for f in figures:
        assert f["section"] == "training" and f["unit"] == "steps/s" and f["value"] > 0
        if out["torch"] == "torch not installed":
            assert f["reference"] is None and f["reference_note"] == "torch not installed"
            assert f["passed"] is None  # nothing to compare with: neither pass nor fail
        else:
            assert f["reference"] > 0
    assert figures[0]["target"] == ">= 3x PyTorch (1 thread)"


def test_the_table_has_a_row_per_figure_under_one_header():
    spec = importlib.util.spec_from_file_location("benchmarks_run", RUN)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # (its dataclass looks its module up there)
    spec.loader.exec_module(bench)
    figures = [bench.Figure("gui", "event-loop lag p99, training", 12.5, "ms", target="<= 20 ms", passed=True),
               bench.Figure("training", "trainer steps/s, alone", 2000.0, "steps/s",
                            reference_note="torch not installed"),
               bench.Figure("instructions", "instructions per frame", None, "M", target="<= 30 M",
                            note="valgrind not installed")]
    lines = bench.table(figures).splitlines()
    assert [cell.strip() for cell in lines[0].strip("|").split("|")] == [
        "figure", "measured", "target", "reference", "pass"]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert rows == [["event-loop lag p99, training", "12.5 ms", "<= 20 ms", "-", "pass"],
                    ["trainer steps/s, alone", "2000 steps/s", "-", "torch not installed", "-"],
                    ["instructions per frame", "- (valgrind not installed)", "<= 30 M", "-", "-"]]


def test_an_unknown_section_is_named_in_a_message_not_a_traceback():
    result = run("--only", "training,memroy")
    assert result.returncode == 2
    assert "unknown section 'memroy'" in result.stderr and "Traceback" not in result.stderr


def test_the_counted_frames_draw_the_layout_the_window_settles_on(qapp):
    """bench_frame_instructions counts frames without an event loop: what it draws must be the
    window as Qt lays it out. (Opened empty, its counted frames drew every plot in the layout it
    had before its first snapshot: the network diagram 210 px tall instead of 383.)"""
    import pyqtgraph as pg

    spec = importlib.util.spec_from_file_location("bench_frame_instructions", RUN.parent / "bench_frame_instructions.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    window, snaps = bench.window_and_snapshots("slider")

    def boxes():
        return [view.mapFromScene(item.sceneBoundingRect()).boundingRect().getRect()
                for view in window.views for item in view.scene().items() if isinstance(item, pg.ViewBox)]

    try:
        for snap in snaps[:3]:
            for view in window.views:
                view.show_snapshot(snap)
                window.paint_now([view])
        drawn = boxes()
        for _ in range(10):
            qapp.processEvents()
        assert boxes() == drawn
    finally:
        window.close()
