"""The engine's loop, driven directly (no thread), then in its real child process."""

import pickle
import threading
import time

import numpy as np
import pytest

from winit_gui import engine
from winit_gui import snapshot as snapshots
from winit_gui.engine import Engine, EngineProcess
from winit_gui.settings import Settings
from winit_gui.training import Trainer

from processes import running


class Collector(list):
    """Receives snapshots; with an engine, also says each was drawn at once (an instant viewer)."""

    engine = None

    def __call__(self, snapshot):
        self.append(snapshot)
        if self.engine is not None:
            self.engine.send(engine.READY)


def make(settings=None):
    got = Collector()
    got.engine = Engine(settings or Settings(), got)
    return got.engine, got


def run_until(eng, done, seconds=20.0):
    """Runs the loop until ``done()``: how many slices a snapshot takes depends on the machine (the
    engine spaces them by its statistics' cost, which a loaded CI machine can stretch to 250 ms)."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the engine did not get there in time"
        eng.run_once()


def test_a_new_setting_publishes_one_snapshot_at_step_zero_latest_wins():
    eng, got = make()
    for gain in (0.5, 2.0, 8.0):
        eng.send(engine.APPLY, Settings(gain=gain))
    eng.run_once()
    assert len(got) == 1
    snap = got[0]
    assert snap.step == 0 and snap.settings.gain == 8.0
    assert snap.stats.layers[0].weight_std > 0


def test_step_advances_by_one_and_pause_holds():
    eng, got = make()
    eng.send(engine.STEP)
    eng.run_once()
    assert got[-1].step == 1
    eng.run_once()
    assert len(got) == 1 and got[-1].step == 1


def test_play_trains_until_paused_and_snapshots_are_throttled():
    eng, got = make()
    eng.send(engine.PLAY)
    run_until(eng, lambda: bool(got) and got[-1].step > 30)
    steps = [s.step for s in got]
    assert steps == sorted(steps)
    # one snapshot a display frame at most, not one per step
    assert len(got) < got[-1].step


def test_while_playing_no_new_snapshot_until_the_viewer_is_ready():
    eng = Engine(Settings(), got := Collector())
    eng.send(engine.PLAY)
    for _ in range(30):
        eng.run_once()
    assert len(got) == 1  # the answer to PLAY; nobody said it was drawn
    eng.send(engine.READY)
    run_until(eng, lambda: len(got) > 1)
    for _ in range(30):
        eng.run_once()
    assert len(got) == 2 and got[-1].step > got[0].step
    eng.send(engine.PAUSE)
    eng.run_once()
    held = got[-1].step
    eng.run_once()
    assert got[-1].step == held and not got[-1].playing


def test_reset_replays_the_initial_weights():
    eng, got = make()
    eng.send(engine.SNAPSHOT)
    eng.run_once()
    initial = got[-1].diagram.weights
    eng.send(engine.STEP, steps=20)
    eng.run_once()
    eng.send(engine.RESET)
    eng.run_once()
    assert got[-1].step == 0
    for a, b in zip(initial, got[-1].diagram.weights):
        np.testing.assert_array_equal(a, b)


def test_snapshots_are_read_only_copies():
    eng, got = make()
    eng.send(engine.SNAPSHOT)
    eng.run_once()
    snap = got[-1]
    assert not snap.diagram.weights[0].flags.writeable
    assert not snap.stats.layers[0].preact_hist.flags.writeable
    before = snap.diagram.weights[0].copy()
    eng.send(engine.STEP, steps=50)
    eng.run_once()
    np.testing.assert_array_equal(snap.diagram.weights[0], before)


def test_a_diverging_run_pauses_and_keeps_the_last_finite_state():
    settings = Settings(activation="linear", init="random_normal", init_params={"stddev": 3.0},
                        lr=10.0, depth=4, width=16)
    eng, got = make(settings)
    eng.send(engine.SNAPSHOT)
    eng.run_once()
    eng.send(engine.PLAY)
    run_until(eng, lambda: got[-1].diverged)
    last = got[-1]
    assert last.diverged and not last.playing
    assert "diverged" in last.message
    assert np.isfinite(last.evaluation.train_loss)
    eng.run_once()
    assert got[-1] is last  # paused: nothing more happens


def test_statistics_that_overflow_with_a_finite_loss_are_a_divergence_too():
    """Orthogonal weights at gain 36, ReLU, batches of 4: after 10 steps the loss is 4e169, still
    finite, but layer 2's pre-activations (a step earlier) and weights (about 1e155) square past
    float64: their spreads are infinite. That was published as a healthy snapshot, with inf and
    NaN for the views to draw (found by random use); now the run stops at the first such step,
    says which number overflowed, and keeps showing the last finite state."""
    settings = Settings(init="orthogonal", gain=36.30780547701014, activation="relu", depth=3, width=260,
                        dataset="spiral", lr=0.01, batch_size=4)
    eng, got = make(settings)
    eng.send(engine.SNAPSHOT)
    eng.run_once()
    for _ in range(30):
        eng.send(engine.STEP, steps=1)
        eng.run_once()
        if got[-1].diverged:
            break
    last = got[-1]
    assert last.diverged and "layer 2's preact std is no longer a finite number" in last.message
    assert np.isfinite(last.evaluation.train_loss) and last.step < 10
    assert snapshots.overflowed(last) == ""
    assert all(np.isfinite([layer.weight_std, layer.update_ratio]).all() for layer in last.stats.layers)


def test_snapshots_carry_the_theory_only_while_a_viewer_asks_for_it():
    eng, got = make()
    eng.send(engine.APPLY, Settings(gain=2.0))
    eng.run_once()
    assert got[-1].theory is None
    eng.send(engine.THEORY_ON)  # at once: the viewer that asked has a picture to draw
    eng.run_once()
    assert len(got) == 2 and got[-1].theory is not None and got[-1].settings.gain == 2.0
    eng.send(engine.THEORY_ON)  # (already on: nothing new to send)
    eng.run_once()
    assert len(got) == 2
    eng.send(engine.APPLY, Settings(gain=3.0))
    eng.run_once()
    expected = snapshots.build(Trainer(Settings(gain=3.0)), 0, False).theory
    assert got[-1].theory.sigma_w == expected.sigma_w
    np.testing.assert_array_equal(got[-1].theory.jacobian_sv, expected.jacobian_sv)
    eng.send(engine.THEORY_OFF)
    eng.send(engine.STEP)
    eng.run_once()
    assert len(got) == 4 and got[-1].step == 1 and got[-1].theory is None


def test_an_engine_process_started_with_the_theory_on_sends_it_from_its_first_snapshot():
    got = Collector()
    ready = threading.Event()
    eng = EngineProcess(Settings(), lambda s: (got.append(s), ready.set()))
    eng.set_theory(True)  # before start: kept for it (a bridge's new engine after a crash)
    eng.start()
    try:
        assert ready.wait(30)
        assert got[0].theory is not None
        ready.clear()
        eng.set_theory(False)
        eng.send(engine.STEP)
        assert ready.wait(10)
        assert got[-1].step == 1 and got[-1].theory is None
    finally:
        eng.stop()


def test_the_engine_process_runs_this_winit_gui_whatever_the_current_directory_holds(tmp_path, monkeypatch):
    # another checkout in the directory the app is started from: the child must not import it
    decoy = tmp_path / "winit_gui"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "engine_child.py").write_text("raise SystemExit(7)\n")
    monkeypatch.chdir(tmp_path)
    done = threading.Event()
    got, exits = [], []
    eng = EngineProcess(Settings(), lambda s: (got.append(s), done.set()), lambda code: (exits.append(code), done.set()))
    eng.start()
    try:
        assert done.wait(30)
        assert got and not exits, f"the child exited with {exits}"
    finally:
        eng.stop()


def test_settings_and_snapshots_cross_a_process_boundary_intact():
    eng, got = make(Settings(init="constant", init_params={"value": 0.5}, gain=2.0))
    eng.send(engine.SNAPSHOT)
    eng.run_once()
    settings = pickle.loads(pickle.dumps(got[-1].settings))
    assert settings == got[-1].settings and settings.init_params["value"] == 0.5
    copy = pickle.loads(pickle.dumps(got[-1]))
    np.testing.assert_array_equal(copy.diagram.weights[1], got[-1].diagram.weights[1])


def test_the_engine_process_starts_trains_and_joins():
    got = Collector()
    ready = threading.Event()
    eng = EngineProcess(Settings(), lambda s: (got.append(s), ready.set()))
    eng.start()
    try:
        assert ready.wait(30)
        ready.clear()
        eng.send(engine.STEP, steps=5)
        assert ready.wait(10)
        assert got[-1].step == 5
    finally:
        eng.stop()
    assert not eng.alive



@pytest.mark.parametrize("settle", [3.0, 0.0], ids=["training", "starting-up"])
def test_the_engine_process_ends_when_its_parent_is_killed(tmp_path, settle):
    # A GUI killed by a signal runs no cleanup: its engine must notice and end by itself, also
    # when the GUI dies while the engine is still starting up (importing, building its Trainer).
    import os
    import signal
    import subprocess
    import sys
    import time

    pid_file = tmp_path / "engine.pid"
    code = (
        "import time, sys\n"
        "from winit_gui import engine\n"
        "from winit_gui.settings import Settings\n"
        "if __name__ == '__main__':\n"
        "    e = engine.EngineProcess(Settings(), lambda s: None)\n"
        "    e.start(); e.send(engine.PLAY)\n"
        f"    time.sleep({settle})\n"
        f"    open({str(pid_file)!r}, 'w').write(str(e._process.pid))\n"
        "    time.sleep(60)\n"
    )
    script = tmp_path / "gui.py"
    script.write_text(code)
    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        child = int(pid_file.read_text())
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not running(child):
                break
            time.sleep(0.1)
        else:
            os.kill(child, signal.SIGKILL)
            raise AssertionError("the engine process outlived its parent")
    finally:
        parent.kill()
