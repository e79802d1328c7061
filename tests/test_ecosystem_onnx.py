"""ONNX export, checked against real onnxruntime sessions."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tinymlp import TinyMLPClassifier, register_onnx_converter, to_onnx
from sklearn_tinymlp._activations import ACTIVATIONS as ACTIVATION_FUNCTIONS
from sklearn_tinymlp._onnx import _label_kind

from helpers import quiet_convergence

skl2onnx = pytest.importorskip("skl2onnx")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

pytestmark = quiet_convergence

ACTIVATIONS = list(ACTIVATION_FUNCTIONS)  # every hidden activation the classifier offers


def _data(kind):
    X, y = make_classification(120, 6, n_informative=4, n_redundant=0, n_classes=3, random_state=0)
    X[:, 0] *= 10  # unscaled columns, so the pipeline's scaler matters
    if kind == "binary":
        y = np.where(y == 2, 0, y)
    elif kind == "multilabel":
        y = np.c_[y == 0, y == 1, X[:, 1] > 0].astype(int)
    elif kind == "string":
        y = np.array(["setosa", "versicolor", "virginica"])[y]
    elif kind == "binary-string":
        y = np.array(["no", "yes"])[(y == 1).astype(int)]
    return X, y


def _run(onx, X):
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session, session.run(None, {name: X})


def _assert_matches(model, onx, X, dtype):
    session, (label, proba) = _run(onx, X)
    assert [o.name for o in session.get_outputs()] == ["label", "probabilities"]
    np.testing.assert_array_equal(label, model.predict(X))
    expected = model.predict_proba(X)
    assert proba.dtype == dtype
    assert proba.shape == expected.shape
    atol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba, expected, rtol=0, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "string", "binary-string"])
def test_onnx_matches_predictions(kind, activation, dtype):
    X, y = _data(kind)
    X = X.astype(dtype)
    model = make_pipeline(
        StandardScaler(),
        TinyMLPClassifier((7, 5), activation=activation, max_iter=30, random_state=0),
    ).fit(X, y)
    _assert_matches(model, to_onnx(model, X), X, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "string"])
def test_onnx_bare_classifier(kind, dtype):
    X, y = _data(kind)
    X = X.astype(dtype) / 10
    model = TinyMLPClassifier((6,), activation="tanh", max_iter=30, random_state=0).fit(X, y)
    _assert_matches(model, to_onnx(model, X), X, dtype)


def test_string_labels_are_strings_and_int_labels_int64():
    X, y = _data("string")
    model = TinyMLPClassifier((4,), max_iter=5, random_state=0).fit(X, y)
    _, (label, _) = _run(to_onnx(model, X.astype(np.float32)), X.astype(np.float32))
    assert label.dtype.kind in "OU" and set(label) <= {"setosa", "versicolor", "virginica"}

    X, y = _data("multiclass")
    model = TinyMLPClassifier((4,), max_iter=5, random_state=0).fit(X, y + 10)
    _, (label, _) = _run(to_onnx(model, X.astype(np.float32)), X.astype(np.float32))
    assert label.dtype == np.int64 and set(label) <= {10, 11, 12}


def test_float_labels_that_are_whole_numbers_export_as_int64():
    X, y = _data("binary")
    model = TinyMLPClassifier((4,), max_iter=5, random_state=0).fit(X, y.astype(float))
    _, (label, _) = _run(to_onnx(model, X), X)
    np.testing.assert_array_equal(label, model.predict(X).astype(np.int64))
    assert _label_kind(np.array([0.0, 1.0])) == "int64"
    with pytest.raises(ValueError, match="whole numbers"):
        _label_kind(np.array([0.0, 0.5]))


def test_skl2onnx_to_onnx_default_zipmap_after_registration():
    """skl2onnx's own entry point converts a pipeline once the converter is registered."""
    register_onnx_converter()
    X, y = _data("string")
    X = X.astype(np.float32)
    model = make_pipeline(StandardScaler(), TinyMLPClassifier((5,), max_iter=20, random_state=0))
    model.fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1])
    session, (label, proba_maps) = _run(onx, X)
    assert [o.name for o in session.get_outputs()] == ["output_label", "output_probability"]
    np.testing.assert_array_equal(label, model.predict(X))
    expected = model.predict_proba(X)
    got = np.array([[row[c] for c in model.classes_] for row in proba_maps])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_skl2onnx_options_output_class_labels_and_nocl():
    register_onnx_converter()
    X, y = _data("string")
    X = X.astype(np.float32)
    model = TinyMLPClassifier((5,), max_iter=20, random_state=0).fit(X, y)
    options = {TinyMLPClassifier: {"zipmap": False, "output_class_labels": True}}
    _, (label, proba, classes) = _run(skl2onnx.to_onnx(model, X[:1], options=options), X)
    np.testing.assert_array_equal(classes, model.classes_)
    np.testing.assert_array_equal(label, model.predict(X))

    options = {TinyMLPClassifier: {"zipmap": False, "nocl": True}}
    _, (label, _) = _run(skl2onnx.to_onnx(model, X[:1], options=options), X)
    np.testing.assert_array_equal(model.classes_[label], model.predict(X))


def test_float32_trained_model():
    X, y = _data("multiclass")
    X = (X / 10).astype(np.float32)
    model = TinyMLPClassifier((8,), activation="relu", max_iter=30, random_state=0).fit(X, y)
    assert model.coefs_[0].dtype == np.float32
    _assert_matches(model, to_onnx(model, X), X, np.float32)


def test_integer_input_is_cast():
    X, y = _data("multiclass")
    X = np.round(X).astype(np.int64)
    model = TinyMLPClassifier((5,), max_iter=20, random_state=0).fit(X, y)
    _, (label, proba) = _run(to_onnx(model, X), X)
    np.testing.assert_array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-5)


def test_unfitted_model_is_refused():
    with pytest.raises(NotFittedError):
        to_onnx(TinyMLPClassifier(), np.zeros((1, 3), dtype=np.float32))


def test_graph_uses_plain_onnx_operators():
    X, y = _data("multiclass")
    model = TinyMLPClassifier((5, 4), activation="relu", max_iter=5, random_state=0).fit(X, y)
    onx = to_onnx(model, X.astype(np.float32))
    ops = [n.op_type for n in onx.graph.node]
    assert ops.count("MatMul") == 3 and ops.count("Add") == 3 and ops.count("Relu") == 2
    assert {"Softmax", "ArgMax", "Gather"} <= set(ops)


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_dataframe_sample_gives_one_input_per_column(in_pipeline):
    pd = pytest.importorskip("pandas")
    X, y = _data("multiclass")
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c", "d", "e", "f"])
    model = TinyMLPClassifier((5,), max_iter=20, random_state=0)
    if in_pipeline:
        model = make_pipeline(StandardScaler(), model)
    model.fit(frame, y)
    session = ort.InferenceSession(
        to_onnx(model, frame).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    assert [i.name for i in session.get_inputs()] == list(frame.columns)
    label, proba = session.run(None, {c: frame[[c]].to_numpy() for c in frame.columns})
    np.testing.assert_array_equal(label, model.predict(frame))
    np.testing.assert_allclose(proba, model.predict_proba(frame), rtol=0, atol=1e-5)


def test_bad_samples_are_refused_clearly():
    X, y = _data("binary")
    model = TinyMLPClassifier((4,), max_iter=5, random_state=0).fit(X, y)
    scipy_sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="dense input"):
        to_onnx(model, scipy_sparse.csr_matrix(X))
    with pytest.raises(ValueError, match="2-dimensional"):
        to_onnx(model, X[0])


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_breast_cancer_accuracy_and_export(breast_cancer, activation):
    """Each activation learns breast cancer, and its export predicts what the model does.

    alpha=3 keeps L-BFGS from fitting the training set perfectly (with the
    default 1e-4 every activation reaches training accuracy 1 within 40
    iterations and 'identity' only 0.93 on the held-out quarter).
    """
    X_train, X_test, y_train, y_test = breast_cancer
    model = make_pipeline(
        StandardScaler(),
        TinyMLPClassifier((5,), activation=activation, solver="lbfgs", alpha=3.0, random_state=0),
    ).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.95
    for dtype in (np.float32, np.float64):
        X = X_test.astype(dtype)
        _, (label, proba) = _run(to_onnx(model, X), X)
        assert proba.dtype == dtype
        np.testing.assert_array_equal(label, model.predict(X))
        np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-5)


# Inputs of one hidden unit: the whole working range and far beyond, where a
# naive log(1 + e^z) or e^z overflows.
Z = np.r_[-1e3, -100, -40, -30, -20, np.linspace(-10, 10, 401), 20, 30, 40, 100, 1e3]


def _hidden_unit_model(activation):
    """A binary classifier on one feature whose one hidden unit gets z = x (weight 1, bias 0)."""
    X = Z[:, np.newaxis]
    model = TinyMLPClassifier((1,), activation=activation, max_iter=1, random_state=0)
    model.fit(X, (Z > 0).astype(int))
    model.coefs_[0][...] = 1.0
    model.intercepts_[0][...] = 0.0
    model.coefs_[1][...] = 0.5
    return model


def _with_hidden_output(onx):
    """The graph with the hidden layer's output a_1 (the second MatMul's input) as an output."""
    second_matmul = [node for node in onx.graph.node if node.op_type == "MatMul"][1]
    hidden = second_matmul.input[0]
    elem_type = onx.graph.output[1].type.tensor_type.elem_type  # probabilities' float type
    onx.graph.output.append(onnx.helper.make_tensor_value_info(hidden, elem_type, None))
    return onx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_activation_graph_matches_numpy(activation, dtype):
    """The exported f(z) is ``_activations``' f(z), for z from −1e3 to 1e3, and finite.

    The errors are absolute, about |z| times the float type's epsilon where
    f(z) is small (onnxruntime's Sigmoid, the Log(1 + Exp(−|z|)) of softplus
    and the ``1 + Erf(z / √2)`` of float gelu are accurate to their epsilon,
    not relative to a tiny result): at most 4e-15 in double and 1.4e-6 in
    float32 over these z. A wrong slope, constant or operator is off by far more.
    """
    model = _hidden_unit_model(activation)
    X = Z[:, np.newaxis].astype(dtype)
    _, (label, proba, hidden) = _run(_with_hidden_output(to_onnx(model, X)), X)
    f, _ = ACTIVATION_FUNCTIONS[activation]
    expected = f(X.astype(np.float64))
    assert hidden.dtype == dtype and np.all(np.isfinite(hidden))
    tolerance = dict(rtol=1e-13, atol=1e-14) if dtype == np.float64 else dict(rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(hidden, expected, **tolerance)
    np.testing.assert_array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_exports_at_opset_13(activation):
    """No activation needs an operator newer than opset 13 (the Gelu operator is opset 20)."""
    X, y = _data("multiclass")
    model = TinyMLPClassifier((4,), activation=activation, max_iter=5, random_state=0).fit(X, y)
    for dtype in (np.float32, np.float64):
        onx = to_onnx(model, X.astype(dtype), target_opset=13)
        assert {o.version for o in onx.opset_import if o.domain in ("", "ai.onnx")} == {13}
        assert "Gelu" not in {n.op_type for n in onx.graph.node}
        _assert_matches(model, onx, X.astype(dtype), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_model_trained_with_dropout_exports_unchanged(dtype):
    """Dropout acts only in training: the graph is the plain forward pass."""
    X, y = _data("multiclass")
    X = X.astype(dtype) / 10
    model = TinyMLPClassifier((8,), activation="gelu", dropout=0.3, max_iter=30, random_state=0)
    model.fit(X, y)
    _assert_matches(model, to_onnx(model, X), X, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("loss", ["squared_error", "poisson", "quantile"])
def test_regressor_onnx_matches_predict(loss, n_outputs, dtype):
    from sklearn_tinymlp import TinyMLPRegressor

    X, _ = _data("multiclass")
    y = np.abs(X[:, 1:3] + X[:, 2:4] ** 2)[:, :n_outputs]  # non-negative: Poisson counts' rates
    reg = make_pipeline(
        StandardScaler(),
        TinyMLPRegressor(
            hidden_layer_sizes=(8,), loss=loss, quantile=0.7, max_iter=60, random_state=0
        ),
    ).fit(X, y.ravel() if n_outputs == 1 else y)
    X = X.astype(dtype)
    session, (variable,) = _run(to_onnx(reg, X), X)
    assert [o.name for o in session.get_outputs()] == ["variable"]
    assert variable.dtype == dtype and variable.shape == (len(X), n_outputs)
    expected = reg.predict(X).reshape(len(X), n_outputs)
    assert expected.std() > 0.1  # the network predicts more than a constant
    np.testing.assert_allclose(variable, expected, rtol=1e-5, atol=1e-5)
