"""A dense multilayer perceptron in numpy, written to be read next to the lecture slide.

Layer l (l = 0 .. L−1) maps its input A_{l−1} (A_{−1} = X, one sample per row) to

    Z_l = A_{l−1} W_l + b_l        W_l has shape (fan_in, fan_out): the kernel, used as x @ W
    A_l = f(Z_l)                   f = the hidden activation; the last layer uses the head

and backpropagation runs the same four lines per layer, from the top (numpy-ml's dense layer):

    dZ = dA * f'(Z)     dA_prev = dZ @ W.T     dW = A_prev.T @ dZ     db = dZ.sum(0)

The three heads pair an output nonlinearity with its natural loss, so that the gradient at the
top is the same fused, numerically stable expression for all of them, dL/dZ_L = (ŷ − y)/n:

    sigmoid_bce   ŷ = σ(z)        L = mean over samples of Σ_k [softplus(z) − y·z]   (= binary cross-entropy)
    softmax_ce    ŷ = softmax(z)  L = mean of [logsumexp(z) − z_y]                   (= categorical cross-entropy)
    linear_mse    ŷ = z           L = mean of ½ Σ_k (z − y)²    (the ½ makes the gradient (ŷ − y)/n)

The losses are computed from the logits z with softplus (np.logaddexp) and a max-shifted
log-sum-exp: no log(0), no overflow. Every computation runs under ``np.errstate(all="ignore")``:
with absurd weights (1e200, gain 1e6) the results may be inf or nan, which callers report; the
network itself never raises or warns because of them.

Two paths:
* ``forward`` / ``backward`` record every Z, A, f'(Z) and dL/dZ (fresh arrays, or with ``reuse`` the
  network's own) for the statistics views (``backprop`` is the part of ``backward`` they use);
* ``train_step`` does the same arithmetic into preallocated buffers (keyed by batch size) and hands
  the optimizer all kernels as one flat array, so a small network's step costs a few dozen numpy
  calls and no allocation of note. Tests check that both paths give the same gradients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from winit_gui import activations
from winit_gui.activations import Activation

ndarray = np.ndarray
Generator = np.random.Generator

OUTPUTS = ("sigmoid_bce", "softmax_ce", "linear_mse")

_MAX_BUFFER_SETS = 4
"""Batch sizes whose buffers are kept, for training and for recording with ``reuse`` (a last,
smaller batch of an epoch adds one)."""


class Layers(tuple):
    """One array per layer, all views into one flat buffer, ``flat``, where they lie back to back in
    layer order: a tuple to its callers, while the statistics can summarize every layer with one
    numpy call on ``flat`` instead of one call per layer."""

    flat: ndarray

    def __new__(cls, flat: ndarray, shapes: Sequence[tuple[int, ...]]) -> Layers:
        layers = super().__new__(cls, _views(flat, shapes))
        layers.flat = flat
        return layers

    @classmethod
    def empty(cls, shapes: Sequence[tuple[int, ...]]) -> Layers:
        return cls(np.empty(sum(math.prod(shape) for shape in shapes)), shapes)


@dataclass(frozen=True, eq=False)
class Forward:
    """What a forward pass saw, layer by layer (index l = layer l; the last entry is the output layer)."""

    inputs: ndarray
    """X, the network input."""
    pre: Layers
    """Z_l = A_{l−1} W_l + b_l, the pre-activations (for the output layer: the logits)."""
    post: Layers
    """A_l = f(Z_l); for the output layer the head's output ŷ (probabilities, or z itself for MSE)."""

    @property
    def output(self) -> ndarray:
        return self.post[-1]


@dataclass(frozen=True, eq=False)
class Gradients:
    """dL/d(everything) for one batch, indexed like the layers."""

    weights: Layers
    """dL/dW_l (``weights.flat`` has the layout of ``MLP.flat_weights()``)."""
    biases: tuple[ndarray, ...]
    """dL/db_l."""
    pre: Layers
    """dL/dZ_l: the back-propagated gradient (Glorot & Bengio 2010, Fig. 7)."""
    post: tuple[ndarray, ...]
    """dL/dA_{l−1}: the gradient with respect to layer l's input; post[0] = dL/dX."""
    derivatives: Layers
    """f'(Z_l) of every hidden layer (dZ_l = dA_l ∘ f'(Z_l)): the saturation statistics reuse it."""


class _Buffers:
    """Preallocated arrays for one batch size n: Z, A, dL/dZ and dL/dA_{l−1} per layer."""

    def __init__(self, sizes: tuple[int, ...], n: int):
        outs = sizes[1:]
        self.Z = [np.empty((n, k)) for k in outs]
        self.A = [np.empty((n, k)) for k in outs[:-1]]
        self.dZ = [np.empty((n, k)) for k in outs]
        self.dA = [None] + [np.empty((n, k)) for k in sizes[1:-1]]


class _Recording:
    """The arrays of ``forward`` and ``backprop`` for one batch size, for the calls with ``reuse``."""

    def __init__(self, sizes: tuple[int, ...], n: int):
        shapes = [(n, k) for k in sizes[1:]]
        self.pre, self.post, self.dZ = Layers.empty(shapes), Layers.empty(shapes), Layers.empty(shapes)
        self.derivatives = Layers.empty(shapes[:-1])


class MLP:
    """A dense network: ``sizes = [input_dim, h1, ..., hL, out_dim]``.

    Hidden layers use ``activation``; the last layer uses the head ``output`` (one of OUTPUTS).
    Kernels and biases start at zero: call ``initialize``.

    ``weights[l]`` and ``biases[l]`` are views into two contiguous buffers (all kernels, all
    biases), which lets the optimizer update every kernel with a few numpy calls. Change them in
    place (``W[...] = ...``, ``np.multiply(W0, g, out=W)``), or assign new arrays to the lists
    (``net.weights[l] = W``): those are copied into the buffer at the next ``train_step``, which
    puts the views back in the lists.
    """

    def __init__(self, sizes: Sequence[int], activation: str, output: str = "sigmoid_bce"):
        sizes = tuple(sizes)
        if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                                 for s in sizes):
            raise ValueError(f"sizes must be at least two positive integers [input, ..., output], got {sizes!r}")
        if output not in OUTPUTS:
            raise ValueError(f"unknown output head {output!r}; valid: {', '.join(OUTPUTS)}")
        if output == "softmax_ce" and sizes[-1] < 2:
            raise ValueError("the softmax_ce head needs at least 2 output units (classes)")
        self.sizes: tuple[int, ...] = tuple(int(s) for s in sizes)
        self.activation: Activation = activations.get(activation)
        self.output: str = output

        shapes = self.shapes
        self._w_flat = np.zeros(sum(i * o for i, o in shapes))
        self._b_flat = np.zeros(sum(o for _, o in shapes))
        self._dw_flat = np.zeros_like(self._w_flat)
        self._db_flat = np.zeros_like(self._b_flat)
        self._w_views = _views(self._w_flat, shapes)
        self._b_views = _views(self._b_flat, [(o,) for _, o in shapes])
        self._dw_views = _views(self._dw_flat, shapes)
        self._db_views = _views(self._db_flat, [(o,) for _, o in shapes])
        self.weights: list[ndarray] = list(self._w_views)
        self.biases: list[ndarray] = list(self._b_views)
        self._buffers: dict[int, _Buffers] = {}
        self._recordings: dict[int, _Recording] = {}

    # --- structure -----------------------------------------------------------------------

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """Kernel shapes (fan_in, fan_out), layer by layer."""
        return list(zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def n_layers(self) -> int:
        """Dense layers, the output layer included."""
        return len(self.sizes) - 1

    def __repr__(self) -> str:
        return f"MLP({list(self.sizes)}, {self.activation.name!r}, {self.output!r})"

    # --- parameters ----------------------------------------------------------------------

    def initialize(self, kernel_init: Callable[[tuple[int, int], Generator], ndarray], rng: Generator,
                   bias_init: Callable[[tuple[int], Generator], ndarray] | float = 0.0) -> None:
        """Draw every kernel from ``kernel_init((fan_in, fan_out), rng)`` in layer order, then the biases.

        ``bias_init`` is a constant or, like the kernels, a function of (shape, rng). Given the
        state of ``rng`` the result is deterministic.
        """
        for W, shape in zip(self._w_views, self.shapes):
            np.copyto(W, _checked(kernel_init(shape, rng), shape, "kernel_init"))
        for b, (_, fan_out) in zip(self._b_views, self.shapes):
            if callable(bias_init):
                np.copyto(b, _checked(bias_init((fan_out,), rng), (fan_out,), "bias_init"))
            else:
                b.fill(float(bias_init))
        self.weights = list(self._w_views)
        self.biases = list(self._b_views)

    def flat_weights(self) -> ndarray:
        """Every kernel, raveled, back to back in layer order: ``weights[l]`` are views into it
        (arrays assigned to ``weights`` are copied in first). Read it, don't write it."""
        self._sync_params()
        return self._w_flat

    def copy_params(self) -> tuple[list[ndarray], list[ndarray]]:
        """Copies of the kernels and biases (for snapshots, or to restore with ``set_params``)."""
        return [W.copy() for W in self.weights], [b.copy() for b in self.biases]

    def set_params(self, weights: Sequence[ndarray], biases: Sequence[ndarray]) -> None:
        """Copy ``weights`` and ``biases`` (shapes as ``copy_params`` returns them) into the network."""
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} kernels and {self.n_layers} biases")
        for view, W, shape in zip(self._w_views, weights, self.shapes):
            np.copyto(view, _checked(W, shape, "weights"))
        for view, b, (_, fan_out) in zip(self._b_views, biases, self.shapes):
            np.copyto(view, _checked(b, (fan_out,), "biases"))
        self.weights = list(self._w_views)
        self.biases = list(self._b_views)

    def _sync_params(self) -> None:
        """Copy any array assigned into ``weights``/``biases`` into the flat buffers; restore the views."""
        for arrays, views, kind in ((self.weights, self._w_views, "weights"),
                                    (self.biases, self._b_views, "biases")):
            if len(arrays) != len(views):
                raise ValueError(f"the network has {len(views)} {kind} arrays, found {len(arrays)}")
            for l, (a, view) in enumerate(zip(arrays, views)):
                if a is not view:
                    np.copyto(view, _checked(a, view.shape, kind))
                    arrays[l] = view

    # --- the recording path (statistics) -------------------------------------------------

    def forward(self, X: ndarray, reuse: bool = False) -> Forward:
        """Run X through the network and keep every pre-activation Z and activation A.

        With ``reuse`` the arrays are the network's own for this batch size, written over by the
        next call with ``reuse`` (also of ``backprop``): for a caller done with them by then, like
        the statistics of every frame, to whom new arrays would cost more in page faults than the
        arithmetic.
        """
        X = self._check_inputs(X)
        f, last = self.activation.f, self.n_layers - 1
        if reuse:
            recording = self._recording(X.shape[0])
            pre, post = recording.pre, recording.post
        else:
            shapes = [(X.shape[0], k) for k in self.sizes[1:]]
            pre, post = Layers.empty(shapes), Layers.empty(shapes)
        A = X
        with np.errstate(all="ignore"):
            for l, (W, b) in enumerate(zip(self.weights, self.biases)):
                Z = np.matmul(A, W, out=pre[l])
                Z += b
                A = f(Z, out=post[l]) if l < last else _head_output(self.output, Z, out=post[l])
        return Forward(X, pre, post)

    def backward(self, fwd: Forward, y: ndarray) -> Gradients:
        """Gradients of ``loss(fwd, y)`` at ``fwd`` (uses the current weights: call before changing them)."""
        dZs, derivs = self.backprop(fwd, y)
        dW = Layers.empty(self.shapes)
        db, dAs = [], []
        with np.errstate(all="ignore"):
            for l, (W, dZ) in enumerate(zip(self.weights, dZs)):
                A_prev = fwd.inputs if l == 0 else fwd.post[l - 1]
                np.matmul(A_prev.T, dZ, out=dW[l])
                db.append(dZ.sum(axis=0))
                dAs.append(dZ @ W.T)       # again: backprop wrote it over with dZ of the layer below
        return Gradients(dW, tuple(db), dZs, tuple(dAs), derivs)

    def backprop(self, fwd: Forward, y: ndarray, reuse: bool = False) -> tuple[Layers, Layers]:
        """dL/dZ of every layer, and f'(Z) of the hidden layers: the part of ``backward`` that the
        statistics need (they take each layer's dL/dW in turn, never all at once). ``reuse`` as
        for ``forward``."""
        n = fwd.inputs.shape[0]
        Y = self._targets(y, n)
        df = self.activation.df
        if reuse:
            recording = self._recording(n)
            dZs, derivs = recording.dZ, recording.derivatives
        else:
            shapes = [(n, k) for k in self.sizes[1:]]
            dZs, derivs = Layers.empty(shapes), Layers.empty(shapes[:-1])
        with np.errstate(all="ignore"):
            dZ = np.subtract(fwd.post[-1], Y, out=dZs[-1])
            dZ /= n                                  # fused head: dL/dZ_L = (ŷ − y)/n
            for l in range(self.n_layers - 1, 0, -1):
                dA_prev = np.matmul(dZ, self.weights[l].T, out=dZs[l - 1])
                dZ = np.multiply(dA_prev, df(fwd.pre[l - 1], out=derivs[l - 1]), out=dA_prev)
        return dZs, derivs

    def _batch_buffers(self, n: int) -> _Buffers:
        return self._cached(self._buffers, _Buffers, n)

    def _recording(self, n: int) -> _Recording:
        return self._cached(self._recordings, _Recording, n)

    def _cached(self, cache: dict, make, n: int):
        """``cache``'s buffers for batch size ``n``, made on first use (at most _MAX_BUFFER_SETS kept)."""
        entry = cache.get(n)
        if entry is None:
            if len(cache) >= _MAX_BUFFER_SETS:
                cache.clear()
            entry = cache[n] = make(self.sizes, n)
        return entry

    def loss(self, fwd_or_output: Forward | ndarray, y: ndarray) -> float:
        """The mean loss over samples (see the module docstring for the three heads).

        Given a ``Forward``, the loss is computed from its logits: exact and stable for any
        value. Given an array, it is taken to be the head's output ŷ as ``predict`` returns it;
        probabilities are then clipped to [1e-308, 1 − 2^−53] so that log never sees 0, which caps
        one sample's binary loss at about 36.7 (``evaluate`` avoids that and is as cheap).
        """
        with np.errstate(all="ignore"):
            if isinstance(fwd_or_output, Forward):
                Z = fwd_or_output.pre[-1]
                return _loss_from_logits(self.output, Z, self._targets(y, Z.shape[0]))
            out = np.asarray(fwd_or_output, dtype=np.float64)
            if out.ndim != 2 or out.shape[1] != self.sizes[-1]:
                raise ValueError(f"expected outputs of shape (n, {self.sizes[-1]}), got {out.shape}")
            return _loss_from_output(self.output, out, self._targets(y, out.shape[0]))

    def predict(self, X: ndarray) -> ndarray:
        """The head's output ŷ for X (probabilities, or z for MSE), without recording anything."""
        with np.errstate(all="ignore"):
            return _head_output(self.output, self.logits(X))

    def predict_single(self, X: ndarray) -> ndarray:
        """``predict`` in single precision, for pictures: the decision boundary's grid of a few
        thousand points runs through the network about twice as fast (numpy's float32 tanh and
        exp are several times faster), and its outputs differ by about 1e-7, far below a colour
        step. Not for training or statistics, which stay in double precision.

        Rows that overflow single precision (past 3.4e38, where double precision is still finite:
        a large weight scale on an unbounded activation) are computed again with ``predict``."""
        X = self._check_inputs(X)
        A = X.astype(np.float32)
        f, last = self.activation.f, self.n_layers - 1
        with np.errstate(all="ignore"):
            for l in range(last):
                Z = np.matmul(A, self.weights[l].astype(np.float32))
                Z += self.biases[l].astype(np.float32)
                A = f(Z, out=Z)
            Z = A @ self.weights[last].astype(np.float32)
            Z += self.biases[last].astype(np.float32)
            out = _head_output(self.output, Z, out=Z)
        overflowed = ~np.isfinite(out).all(axis=1)
        if overflowed.any():
            out = out.astype(np.float64)
            out[overflowed] = self.predict(X[overflowed])
        return out

    def logits(self, X: ndarray) -> ndarray:
        """Z of the output layer for X, without recording anything."""
        A = self._check_inputs(X)
        # the hidden layers go through the training buffers for this batch size: new arrays every
        # call (the display pass makes two) would cost more in page faults than the arithmetic
        buf = self._batch_buffers(A.shape[0])
        f, last = self.activation.f, self.n_layers - 1
        with np.errstate(all="ignore"):
            for l in range(last):
                Z = np.matmul(A, self.weights[l], out=buf.Z[l])
                Z += self.biases[l]
                A = f(Z, out=buf.A[l])
            Z = A @ self.weights[last]
            Z += self.biases[last]
        return Z

    def evaluate(self, X: ndarray, y: ndarray) -> float:
        """The mean loss on (X, y), from the logits (stable), without recording anything."""
        return self.loss_from_logits(self.logits(X), y)

    def loss_from_logits(self, Z: ndarray, y: ndarray) -> float:
        """The mean loss of output-layer pre-activations Z (stable: never log(0), never overflow)."""
        with np.errstate(all="ignore"):
            return _loss_from_logits(self.output, Z, self._targets(y, Z.shape[0]))

    # --- the training path ---------------------------------------------------------------

    def train_step(self, X: ndarray, y: ndarray, optimizer) -> float:
        """One optimizer step on the batch (X, y); returns the batch's loss before the step.

        The arithmetic of ``forward`` + ``backward``, written into buffers reused from step to step
        (``np.dot(..., out=)``: for small matrices it has less overhead than ``np.matmul``).
        ``optimizer.step`` receives all kernels (and their gradients) as one flat array and all
        biases as another, so its L2 term still touches kernels only.
        """
        X = self._check_inputs(X)
        n = X.shape[0]
        if n == 0:
            raise ValueError("train_step needs at least one sample")
        Y = self._targets(y, n)
        buf = self._batch_buffers(n)
        self._sync_params()
        W, b, dW, db = self._w_views, self._b_views, self._dw_views, self._db_views
        f, df, L = self.activation.f, self.activation.df, self.n_layers
        with np.errstate(all="ignore"):
            A = X
            for l in range(L - 1):
                Z = np.dot(A, W[l], out=buf.Z[l])
                Z += b[l]
                A = f(Z, out=buf.A[l])
            Z = np.dot(A, W[-1], out=buf.Z[-1])
            Z += b[-1]
            loss = _loss_from_logits(self.output, Z, Y)
            dZ = _head_output(self.output, Z, out=buf.dZ[-1])
            dZ -= Y
            dZ *= 1.0 / n                                     # dL/dZ_L = (ŷ − y)/n
            for l in range(L - 1, -1, -1):
                A_prev = X if l == 0 else buf.A[l - 1]
                np.dot(A_prev.T, dZ, out=dW[l])               # dW = A_prev.T @ dZ
                np.add.reduce(dZ, axis=0, out=db[l])          # db = dZ.sum(0)
                if l > 0:
                    dA = np.dot(dZ, W[l].T, out=buf.dA[l])    # dA_prev = dZ @ W.T
                    dZ = df(buf.Z[l - 1], out=buf.dZ[l - 1])
                    dZ *= dA                                  # dZ = dA * f'(Z)
            optimizer.step([self._w_flat], [self._dw_flat], [self._b_flat], [self._db_flat])
        return loss

    # --- checks --------------------------------------------------------------------------

    def _check_inputs(self, X: ndarray) -> ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"expected inputs of shape (n, {self.sizes[0]}), got {X.shape}")
        return X

    def _targets(self, y: ndarray, n: int) -> ndarray:
        """y as an (n, out_dim) float array: class labels become one-hot rows for softmax_ce."""
        y = np.asarray(y)
        k = self.sizes[-1]
        if self.output == "softmax_ce" and y.shape in ((n,), (n, 1)) and (k > 1):
            labels = y.reshape(n)
            classes = labels.astype(np.intp)
            if n and (np.any(classes != labels) or classes.min() < 0 or classes.max() >= k):
                raise ValueError(f"class labels must be integers in 0..{k - 1}")
            Y = np.zeros((n, k))
            Y[np.arange(n), classes] = 1.0
            return Y
        if y.shape == (n, k):
            return y if y.dtype == np.float64 else y.astype(np.float64)
        if k == 1 and y.shape == (n,):
            return y.astype(np.float64).reshape(n, 1)
        what = "labels of shape (n,) or one-hot" if self.output == "softmax_ce" else "targets"
        raise ValueError(f"expected {what} of shape ({n}, {k}) for the {self.output} head, got {y.shape}")


# --- heads -----------------------------------------------------------------------------------

_P_MIN = np.finfo(np.float64).tiny
_P_MAX = 1.0 - 2.0**-53


def _head_output(head: str, Z: ndarray, out: ndarray | None = None) -> ndarray:
    """ŷ from the logits: σ(z), softmax(z) (max-shifted, so e^z never overflows), or z."""
    if head == "sigmoid_bce":
        return activations.get("sigmoid").f(Z, out=out)
    if head == "softmax_ce":
        out = np.subtract(Z, Z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out
    return np.positive(Z, out=out)


def _loss_from_logits(head: str, Z: ndarray, Y: ndarray) -> float:
    n = Z.shape[0]
    if head == "sigmoid_bce":
        # −[y log σ(z) + (1−y) log(1−σ(z))] = softplus(z) − y·z
        per = np.logaddexp(0.0, Z)
        per -= Y * Z
    elif head == "softmax_ce":
        # −log softmax(z)_y = logsumexp(z) − z_y; with s = z − max z both terms shift alike
        s = Z - Z.max(axis=1, keepdims=True)
        per = np.log(np.exp(s).sum(axis=1)) - (Y * s).sum(axis=1)
    else:
        per = np.square(Z - Y)
        per *= 0.5
    return float(per.sum() / n) if n else float("nan")


def _loss_from_output(head: str, out: ndarray, Y: ndarray) -> float:
    n = out.shape[0]
    if head == "sigmoid_bce":
        p = np.clip(out, _P_MIN, _P_MAX)
        per = -(Y * np.log(p) + (1.0 - Y) * np.log1p(-p))
    elif head == "softmax_ce":
        per = -(Y * np.log(np.clip(out, _P_MIN, 1.0)))
    else:
        per = 0.5 * np.square(out - Y)
    return float(per.sum() / n) if n else float("nan")


# --- helpers ---------------------------------------------------------------------------------

def _views(flat: ndarray, shapes: Sequence[tuple[int, ...]]) -> tuple[ndarray, ...]:
    views, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        views.append(flat[start:start + size].reshape(shape))
        start += size
    return tuple(views)


def _checked(a: ndarray, shape: tuple[int, ...], what: str) -> ndarray:
    a = np.asarray(a)
    if a.shape != tuple(shape):
        raise ValueError(f"{what} gave shape {a.shape}, expected {tuple(shape)}")
    return a
