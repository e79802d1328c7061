"""
==============================
Exporting a pipeline to ONNX
==============================

:func:`sklearn_tinymlp.to_onnx` converts a fitted
:class:`~sklearn_tinymlp.TinyMLPClassifier`, or a Pipeline that contains one,
to an ONNX graph that `onnxruntime <https://onnxruntime.ai>`_ (or any other
ONNX runtime, in any language) can run without Python or scikit-learn. The
network becomes plain ONNX nodes: ``MatMul`` and ``Add`` for each layer, the
activation, ``Softmax`` (or ``Sigmoid``) for the probabilities, and
``ArgMax`` + ``Gather`` on ``classes_`` for the labels.

We export a scaled pipeline with string labels, run it in onnxruntime, and
compare with scikit-learn's predictions. Needs
``pip install "sklearn-tinymlp[onnx]"``.
"""

# %%
# Fit and export
# --------------
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, to_onnx

X, y = load_wine(return_X_y=True)
y = np.array(["barolo", "grignolino", "barbera"])[y]
X = X.astype(np.float32)  # ONNX graphs usually run in float32
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

model = make_pipeline(
    StandardScaler(),
    TinyMLPClassifier(
        hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs", alpha=1.0, random_state=0
    ),
)
model.fit(X_train, y_train)

onnx_model = to_onnx(model, X_train)
print("nodes:", [node.op_type for node in onnx_model.graph.node])
print("outputs:", [output.name for output in onnx_model.graph.output])

# %%
# Run it in onnxruntime
# ---------------------
# ``to_onnx`` sets skl2onnx's option ``zipmap=False``, so ``probabilities`` is
# a plain (n_samples, n_classes) tensor in the order of ``classes_``.
session = ort.InferenceSession(onnx_model.SerializeToString(), providers=["CPUExecutionProvider"])
labels, probabilities = session.run(None, {"X": X_test})

expected = model.predict_proba(X_test)
difference = np.abs(probabilities - expected)
print(f"labels equal: {np.array_equal(labels, model.predict(X_test))}")
print(f"max |p_onnx - p_sklearn| = {difference.max():.2e}")

# %%
# The two sets of probabilities agree to float32 rounding:
fig, ax = plt.subplots(figsize=(4.5, 4))
for k, name in enumerate(model.classes_):
    ax.scatter(expected[:, k], probabilities[:, k], s=12, label=name)
ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
ax.set_xlabel("predict_proba (scikit-learn)")
ax.set_ylabel("probabilities (onnxruntime)")
ax.set_title(f"max difference {difference.max():.1e}")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# With skl2onnx directly
# ----------------------
# ``to_onnx`` registers a converter with skl2onnx;
# :func:`sklearn_tinymlp.register_onnx_converter` does only that, after which
# ``skl2onnx.to_onnx`` handles the classifier anywhere in a pipeline, with
# skl2onnx's defaults (its ZipMap output of ``{label: probability}`` dicts):
#
# .. code-block:: python
#
#     import skl2onnx
#     from sklearn_tinymlp import register_onnx_converter
#
#     register_onnx_converter()
#     onnx_model = skl2onnx.to_onnx(model, X_train[:1])
#
# To ship the model, write ``onnx_model.SerializeToString()`` to a ``.onnx``
# file.
