"""The experiment in motion: data, network, optimizer and their history, built from a Settings.

A Trainer is plain numpy and single-threaded: the GUI's worker thread owns one, a notebook or
``winit-gui stats`` can own another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from winit_gui import datasets, initializers, optimizers, statistics, theory
from winit_gui.network import MLP
from winit_gui.settings import Settings

HISTORY_POINTS = 1024
LSUV_BATCH = 256
"""Training samples that LSUV rescales the layers on (Mishkin & Matas used batches of this size);
a fixed number, so that the batch size, which does not change the draw, does not change LSUV's."""


class History:
    """A growing record of rows that keeps the whole run visible in bounded memory.

    When full it drops every other row (never the first) and keeps only every second step from
    then on, so a long run stays evenly covered from step 0. The newest row is always there: one
    off that stride stands at the end only until the next row comes (without it, after ten
    minutes the curve and its numbers lagged seconds behind the step shown).
    """

    def __init__(self, columns: int, capacity: int = HISTORY_POINTS):
        self._rows = np.empty((capacity, columns + 1))
        self._n = 0
        self._stride = 1
        self._provisional = False

    def append(self, step: int, values) -> None:
        if self._provisional:
            self._n -= 1
        if self._n == len(self._rows):
            kept = self._rows[: self._n : 2]
            self._n = len(kept)
            self._rows[: self._n] = kept
            self._stride *= 2
        self._provisional = self._n > 0 and step % self._stride != 0
        self._rows[self._n, 0] = step
        self._rows[self._n, 1:] = values
        self._n += 1

    def clear(self) -> None:
        self._n = 0
        self._stride = 1
        self._provisional = False

    def array(self) -> np.ndarray:
        """A read-only copy: column 0 is the step, the others the values."""
        out = self._rows[: self._n].copy()
        out.flags.writeable = False
        return out


LOSS_COLUMNS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


@dataclass(frozen=True)
class Evaluation:
    """Train and test loss and accuracy at one step."""

    step: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float

    @property
    def finite(self) -> bool:
        return bool(np.isfinite(self.train_loss))


@dataclass(frozen=True)
class Measurement:
    stats: statistics.NetworkStats
    evaluation: Evaluation
    test_logits: np.ndarray
    """The output layer's pre-activations on the measured test samples."""


class Trainer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.loss_history = History(len(LOSS_COLUMNS))
        self._base_key: Settings | None = None
        self._measured_kernels: np.ndarray | None = None
        self._build(settings)

    @property
    def step(self) -> int:
        return self._step

    def apply(self, settings: Settings) -> None:
        """Start over from ``settings``: re-initialize at step 0, rebuilding only what changed."""
        self._build(settings)

    def reset(self) -> None:
        """Back to step 0 with exactly the same initial weights (the seed replays them)."""
        self._build(self.settings)

    def train(self, steps: int = 1) -> None:
        """``steps`` minibatch steps of the optimizer (epochs reshuffle from the seed)."""
        if self._measured_kernels_due:
            self._keep_measured_kernels()
        for _ in range(steps):
            if self._cursor + self._batch > self._n_train:
                self._order = self._batch_rng.permutation(self._n_train)
                self._cursor = 0
            rows = self._order[self._cursor : self._cursor + self._batch]
            self._cursor += self._batch
            self.network.train_step(self.dataset.X_train[rows], self.dataset.y_train[rows], self.optimizer)
            self._step += 1

    def initial_theory(self) -> theory.TheoryPicture:
        """Mean-field theory of this run's initial weights (the cached draw times the gain), made
        once per initialization: its Jacobians cost more than a frame on a wide network. Its
        ``measured_preact_var`` is nan: ``theory.with_measurement`` adds a frame's."""
        if self._theory is None:
            if self._reference_weights is None:
                self._reference_weights = theory.reference_kernels(self.settings, self._base_weights)
            self._theory = theory.predict(self.settings, self._base_weights, self._reference_weights,
                                          self.dataset.X_train)
        return self._theory

    def measure(self, samples: int | None = None) -> Measurement:
        """Per-layer statistics over the first ``samples`` training samples, and the loss and
        accuracy there and on as many test samples (all by default); both recorded in the
        histories. A fixed subset keeps successive points comparable.
        """
        net, d = self.network, self.dataset
        previous = self._measured_kernels if self._measured_kernels_kept else None
        stats = statistics.compute(net, d.X_train[:samples], d.y_train[:samples], previous,
                                   self._step - self._stats_step)
        with np.errstate(all="ignore"):
            test_logits = net.logits(d.X_test[:samples])
        y_test = d.y_test[:samples]
        evaluation = Evaluation(self._step, stats.loss, net.loss_from_logits(test_logits, y_test), stats.accuracy,
                                statistics.accuracy(test_logits, y_test, net.output))
        self._stats_step = self._step
        # The next measure compares with these kernels only if training changes them: they are
        # copied before the next step, not here, so that a slider move or a paused frame never copies.
        self._measured_kernels_due, self._measured_kernels_kept = True, False
        self.loss_history.append(self._step, (evaluation.train_loss, evaluation.test_loss,
                                              evaluation.train_accuracy, evaluation.test_accuracy))
        self.saturation_history.append(self._step, [layer.saturated_fraction for layer in stats.layers])
        test_logits.flags.writeable = False
        return Measurement(stats, evaluation, test_logits)

    def _keep_measured_kernels(self) -> None:
        kernels = self.network.flat_weights()
        if self._measured_kernels is None or self._measured_kernels.shape != kernels.shape:
            self._measured_kernels = np.empty_like(kernels)
        np.copyto(self._measured_kernels, kernels)  # into the last copy's buffer: no new pages
        self._measured_kernels_due, self._measured_kernels_kept = False, True

    def _build(self, settings: Settings) -> None:
        old = self.settings if hasattr(self, "network") else None
        self.settings = settings
        data_keys = ("dataset", "noise", "samples", "seed")
        if old is None or any(getattr(old, k) != getattr(settings, k) for k in data_keys) \
                or old.dataset_input_dim != settings.dataset_input_dim:
            self.dataset = datasets.make(settings.dataset, samples=2 * settings.samples, noise=settings.noise,
                                         seed=settings.seed, input_dim=settings.dataset_input_dim,
                                         test_fraction=0.5)
        if old is None or old.sizes != settings.sizes or old.activation != settings.activation:
            self.network = MLP(settings.sizes, settings.activation, "sigmoid_bce")
        self._initialize(settings)
        self.optimizer = optimizers.make(settings.optimizer, settings.lr, l2=settings.l2)
        self._n_train = len(self.dataset.X_train)
        self._batch = min(settings.batch_size, self._n_train)
        self._batch_rng = np.random.default_rng([settings.seed, 1])
        self._order = self._batch_rng.permutation(self._n_train)
        self._cursor = 0
        self._step = 0
        self._stats_step = 0
        self._measured_kernels_due = self._measured_kernels_kept = False
        self.loss_history.clear()
        if old is None or old.depth != settings.depth:
            self.saturation_history = History(settings.depth + 1)
        self.saturation_history.clear()

    def _initialize(self, settings: Settings) -> None:
        # Every initializer is linear in its gain, so the weight-scale slider only rescales one
        # cached draw at gain 1: dragging it costs a multiply, not a new random draw.
        key = settings.replace(gain=1.0, lr=1.0, batch_size=1, optimizer="sgd", l2=0.0)
        if key != self._base_key:
            rng = np.random.default_rng(settings.seed)
            base = settings.base_initializer()
            self._base_weights = [base((fan_in, fan_out), rng)
                                  for fan_in, fan_out in zip(settings.sizes[:-1], settings.sizes[1:])]
            if settings.init == "lsuv":  # data-dependent: the cached draw at gain 1 is the rescaled one
                initializers.lsuv_rescale(self._base_weights, settings.bias_init,
                                          self.dataset.X_train[:LSUV_BATCH], self.network.activation.f)
            self._base_key = key
            self._reference_weights = None
        self._theory = None
        with np.errstate(all="ignore"):
            for W, base in zip(self.network.weights, self._base_weights):
                np.multiply(base, settings.gain, out=W)
        for b in self.network.biases:
            b.fill(settings.bias_init)
