"""The fitted state of the default placement model as plain arrays, so a re-run restores it instead of refitting.

Refitting the classifier on the sample took ~1.2 s of a re-run that places a few new texts. Only the steps of
`default_transform_model`'s pipeline are known here (the attributes their predictions read); any other model has
no state (None) and is fitted again each time. Arrays are kept bit for bit: the classifier's weights are zero
outside the features of the training texts, so each array is stored as a fill value and the positions that differ
from it (a few MB instead of ~100), and rebuilt exactly, hence the same predictions as a fresh fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_FILL, _AT, _VALUES, _SHAPE, _SCALAR = "/fill", "/at", "/values", "/shape", "/scalar"
_VERSION = "sklearn_version"


def _fitted_attributes() -> dict[type, tuple[str, ...]]:
    """Per known pipeline step: the attributes `fit` sets that `predict_proba` reads."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import SGDClassifier

    return {
        HashingVectorizer: (),  # stateless
        TfidfTransformer: ("idf_", "n_features_in_"),
        SGDClassifier: ("coef_", "intercept_", "classes_", "n_features_in_", "t_", "n_iter_"),
    }


def _steps(model: Any) -> list[tuple[str, Any, tuple[str, ...]]] | None:
    """(name, estimator, fitted attributes) per step of a pipeline made only of known steps; else None."""
    steps = getattr(model, "steps", None)
    if not isinstance(steps, list):
        return None
    known = _fitted_attributes()
    if not all(type(step) in known for _, step in steps):
        return None
    return [(name, step, known[type(step)]) for name, step in steps]


def model_state(model: Any) -> dict[str, np.ndarray] | None:
    """A fitted model's state as named arrays (None: not a model known here)."""
    import sklearn

    steps = _steps(model)
    if steps is None:
        return None
    state = {_VERSION: np.asarray(sklearn.__version__)}
    for step_name, step, attributes in steps:
        for attribute in attributes:
            name, value = f"{step_name}.{attribute}", getattr(step, attribute)
            if isinstance(value, np.ndarray):
                state |= _packed(name, value)
            else:  # a Python int or float
                state[name + _SCALAR] = np.asarray(value)
    return state


def restore_model(model: Any, state: dict[str, np.ndarray]) -> bool:
    """Set the fitted attributes of an unfitted `model` from `model_state`'s arrays; False if they do not fit it."""
    import sklearn

    steps = _steps(model)
    if steps is None or state.get(_VERSION, np.asarray("")).item() != sklearn.__version__:
        return False
    values = {}
    for step_name, step, attributes in steps:
        for attribute in attributes:
            name = f"{step_name}.{attribute}"
            if name + _SCALAR in state:
                values[step, attribute] = state[name + _SCALAR].item()
            elif name + _FILL in state:
                values[step, attribute] = _unpacked(name, state)
            else:
                return False
    for (step, attribute), value in values.items():
        setattr(step, attribute, value)
    return True


def _packed(name: str, a: np.ndarray) -> dict[str, np.ndarray]:
    """An array as its last value (the fill), the flat positions whose bits differ from it and their values."""
    flat = np.ascontiguousarray(a).reshape(-1)
    bits = flat.view(f"u{flat.dtype.itemsize}")
    fill = flat[-1:] if len(flat) else np.zeros(1, flat.dtype)
    at = np.flatnonzero(bits != fill.view(bits.dtype)[0])
    return {name + _FILL: fill, name + _AT: at, name + _VALUES: flat[at], name + _SHAPE: np.asarray(a.shape)}


def _unpacked(name: str, state: dict[str, np.ndarray]) -> np.ndarray:
    fill = state[name + _FILL]
    flat = np.full(int(np.prod(state[name + _SHAPE])), fill[0], dtype=fill.dtype)
    flat[state[name + _AT]] = state[name + _VALUES]
    return flat.reshape(tuple(state[name + _SHAPE].tolist()))
