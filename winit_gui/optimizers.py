"""Gradient-descent optimizers that update parameter arrays in place.

    sgd       w ← w − lr·g
    momentum  v ← μ·v − lr·g;  w ← w + v                       (heavy ball, Polyak 1964)
    adam      m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
              w ← w − lr·m̂ / (√v̂ + ε),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t)   (Kingma & Ba 2015)

With L2 regularization (coefficient ``l2``) the gradient of a kernel W becomes g + l2·W, the
gradient of ½·l2·‖W‖²: it decays the kernels only, never the biases. That is why ``step`` takes
kernels and biases as separate lists:

    opt.step(net.weights, grads.weights, net.biases, grads.biases)

State (velocities, moments, scratch space) is allocated on the first ``step`` to match the arrays
given, and every later step must pass arrays of the same shapes in the same order (else
ValueError; ``reset()`` starts over). ``step`` runs a fixed number of numpy calls per array and
allocates nothing, so handing it a few large arrays (MLP.train_step passes all kernels as one flat
array and all biases as another) is as cheap as it gets. Floating-point errors are not
suppressed here: callers that may see huge values wrap the call in ``np.errstate``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from winit_gui import checks

NAMES = ("sgd", "momentum", "adam")


class Optimizer:
    """Common part: validation, the L2 term, state bookkeeping. Subclasses write ``_update``."""

    name = ""
    n_state = 0
    """Arrays of per-parameter state the method keeps (momentum 1: v; Adam 2: m and v)."""

    def __init__(self, lr: float, *, l2: float = 0.0):
        self.lr = _positive("lr", lr)
        self.l2 = _non_negative("l2", l2)
        self.reset()

    def reset(self) -> None:
        """Forget all state (velocities, moments, the step count)."""
        self.t = 0
        self._shapes: tuple[tuple[int, ...], ...] | None = None
        self._state: list[list[np.ndarray]] = []
        self._scratch: list[np.ndarray] = []
        self._decayed: list[np.ndarray] = []

    def step(self, weights: Sequence[np.ndarray], weight_grads: Sequence[np.ndarray],
             biases: Sequence[np.ndarray] = (), bias_grads: Sequence[np.ndarray] = ()) -> None:
        """Update ``weights`` (decayed by L2) and ``biases`` (not decayed) in place from their gradients."""
        if len(weights) != len(weight_grads) or len(biases) != len(bias_grads):
            raise ValueError("every parameter array needs exactly one gradient array")
        params = [*weights, *biases]
        grads = [*weight_grads, *bias_grads]
        self._prepare(params, grads, n_decayed=len(weights))
        self.t += 1
        l2 = self.l2
        for i, (w, g) in enumerate(zip(params, grads)):
            if l2 and i < len(weights):
                d = self._decayed[i]
                np.multiply(w, l2, out=d)
                d += g                     # g + l2·W
                g = d
            self._update(w, g, self._scratch[i], self._state[i])

    def _update(self, w: np.ndarray, g: np.ndarray, tmp: np.ndarray, state: list[np.ndarray]) -> None:
        raise NotImplementedError

    def _prepare(self, params: list[np.ndarray], grads: list[np.ndarray], n_decayed: int) -> None:
        shapes = tuple(p.shape for p in params)
        if self._shapes is None:
            for p, g in zip(params, grads):
                if g.shape != p.shape:
                    raise ValueError(f"gradient shape {g.shape} does not match parameter shape {p.shape}")
                if p.dtype != np.float64:
                    raise ValueError(f"parameters must be float64 arrays, got {p.dtype}")
            self._shapes = shapes
            self._state = [[np.zeros_like(p) for _ in range(self.n_state)] for p in params]
            self._scratch = [np.empty_like(p) for p in params]
            self._decayed = [np.empty_like(p) for p in params[:n_decayed]] if self.l2 else []
        elif shapes != self._shapes:
            raise ValueError(f"{self.name}: parameter shapes {shapes} differ from the first step's "
                             f"{self._shapes}; call reset() before optimizing different parameters")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, l2={self.l2:g})"


class SGD(Optimizer):
    """w ← w − lr·g"""

    name = "sgd"

    def _update(self, w, g, tmp, state):
        np.multiply(g, self.lr, out=tmp)
        w -= tmp


class Momentum(Optimizer):
    """Heavy ball: v ← μ·v − lr·g;  w ← w + v"""

    name = "momentum"
    n_state = 1

    def __init__(self, lr: float, *, momentum: float = 0.9, l2: float = 0.0):
        self.momentum = _unit_interval("momentum", momentum)
        super().__init__(lr, l2=l2)

    def _update(self, w, g, tmp, state):
        (v,) = state
        v *= self.momentum
        np.multiply(g, self.lr, out=tmp)
        v -= tmp
        w += v

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr:g}, momentum={self.momentum:g}, l2={self.l2:g})"


class Adam(Optimizer):
    """m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr·m̂/(√v̂ + ε)"""

    name = "adam"
    n_state = 2

    def __init__(self, lr: float, *, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 l2: float = 0.0):
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _positive("eps", eps)
        super().__init__(lr, l2=l2)

    def _update(self, w, g, tmp, state):
        m, v = state
        b1, b2, t = self.beta1, self.beta2, self.t
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp                                  # m ← β1·m + (1−β1)·g
        v *= b2
        np.square(g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp                                  # v ← β2·v + (1−β2)·g²
        np.divide(v, 1.0 - b2**t, out=tmp)        # v̂
        np.sqrt(tmp, out=tmp)
        tmp += self.eps                           # √v̂ + ε
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / (1.0 - b1**t)            # lr·m̂/(√v̂ + ε), m̂ = m/(1−β1^t)
        w -= tmp

    def __repr__(self) -> str:
        return (f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g}, "
                f"l2={self.l2:g})")


def make(name: str, lr: float, *, momentum: float = 0.9, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8, l2: float = 0.0) -> Optimizer:
    """The optimizer called ``name`` (one of NAMES); parameters it does not use are still validated."""
    _unit_interval("momentum", momentum)
    _unit_interval("beta1", beta1)
    _unit_interval("beta2", beta2)
    _positive("eps", eps)
    if name == "sgd":
        return SGD(lr, l2=l2)
    if name == "momentum":
        return Momentum(lr, momentum=momentum, l2=l2)
    if name == "adam":
        return Adam(lr, beta1=beta1, beta2=beta2, eps=eps, l2=l2)
    raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(NAMES)}")


def _positive(name: str, value: float) -> float:
    value = checks.number(name, value)
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return value


def _non_negative(name: str, value: float) -> float:
    value = checks.number(name, value)
    if not value >= 0:
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    return value


def _unit_interval(name: str, value: float) -> float:
    value = checks.number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value
