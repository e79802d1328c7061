"""Export to ONNX: the forward pass written as ONNX nodes, registered with skl2onnx.

The graph is ``_network.forward``: for each layer ``z = a W + b`` (MatMul,
Add), the hidden activation, then the output head (:func:`_output_head`, the
classifier's ``_heads.classify`` as a graph; a regressor's identity or
exp). Each hidden activation is one function below, written with standard ONNX
operators of opset 13 in the graph's float type. onnxruntime's CPU provider has
no double kernel for LeakyRelu, Elu, Erf or Softplus (at opset 18 it runs their
function bodies instead: LeakyRelu's ``alpha``, a float32 attribute, then
becomes 0.0099999998, and Softplus's ``log(exp(z) + 1)`` is inf from z ≈ 710
on), so those are written out. Dropout only acts in training: it leaves no
trace in the graph.

skl2onnx and onnx are imported only when a function here is called, so the
package does not depend on them.
"""

import functools
import math

import numpy as np
from scipy import sparse
from sklearn.base import is_classifier

from ._activations import ELU_ALPHA, LEAKY_RELU_SLOPE
from ._heads import is_multilabel

_REGISTERED = False
_ERFC_POLYNOMIAL_DEGREE = 24


def _label_kind(classes):
    """'int64' or 'string': the ONNX type that carries ``classes_`` exactly."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "iub":
        return "int64"
    if classes.dtype.kind == "f":
        if np.all(np.isfinite(classes)) and np.array_equal(classes, np.round(classes)):
            return "int64"
        raise ValueError(
            f"Cannot export class labels {classes.tolist()!r} to ONNX: float labels must be "
            "whole numbers (they become int64). Encode the labels as integers or strings."
        )
    return "string"


def _output_classes(scope, model):
    """``classes_``, or the indices 0 … n_classes − 1 under skl2onnx's option 'nocl'."""
    if scope.get_options(model, dict(nocl=False))["nocl"]:
        return np.arange(len(model.classes_))
    return np.asarray(model.classes_)


def _is_double(operator):
    """Whether the graph computes in double: when every input is double."""
    from skl2onnx.common.data_types import DoubleTensorType

    return all(isinstance(v.type, DoubleTensorType) for v in operator.inputs)


def _float_tensor_type(operator):
    """skl2onnx's tensor type of the graph's floats: DoubleTensorType or FloatTensorType."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return DoubleTensorType if _is_double(operator) else FloatTensorType


def _shape_calculator(operator):
    """Set the outputs' types and shapes: ``label`` and ``probabilities``, or ``variable``."""
    from skl2onnx.common.data_types import Int64TensorType, StringTensorType

    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    float_type = _float_tensor_type(operator)
    if not is_classifier(model):
        operator.outputs[0].type = float_type([n_rows, model.n_outputs_])
        return
    n_columns = len(model.classes_)
    if is_multilabel(model.out_activation_, model.n_outputs_):
        label_type = Int64TensorType([n_rows, n_columns])
    elif _label_kind(_output_classes(operator.scope_inst, model)) == "int64":
        label_type = Int64TensorType([n_rows])
    else:
        label_type = StringTensorType([n_rows])
    operator.outputs[0].type = label_type
    operator.outputs[1].type = float_type([n_rows, n_columns])


class _Graph:
    """Writes nodes and constants in the graph's float type into skl2onnx's scope and container."""

    def __init__(self, scope, operator, container):
        from onnx import TensorProto

        self.scope, self.container = scope, container
        double = _is_double(operator)
        self.dtype = np.float64 if double else np.float32
        self.proto_type = TensorProto.DOUBLE if double else TensorProto.FLOAT

    def name(self, hint):
        """A new variable name made from ``hint``."""
        return self.scope.get_unique_variable_name(hint)

    def node(self, op_type, inputs, hint, output=None, **attrs):
        """Add one node; its output is ``output``, or a new name made from ``hint``."""
        output = output or self.name(hint)
        self.container.add_node(
            op_type,
            inputs,
            [output],
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output

    def constant(self, hint, values, onnx_type=None):
        """An initializer of ``values``, in the graph's float type unless ``onnx_type`` is given."""
        values = np.asarray(values, None if onnx_type else self.dtype)
        const = self.name(hint)
        self.container.add_initializer(
            const, onnx_type or self.proto_type, list(values.shape), values.ravel().tolist()
        )
        return const


# --- hidden activations, one function each: (graph, z) -> the name of f(z) ----------


def _identity(graph, z):
    """Nothing: the graph's z."""
    return z


def _operator(op_type):
    """The activation that is one ONNX operator, ``op_type``."""
    return lambda graph, z: graph.node(op_type, [z], op_type.lower())


_relu = _operator("Relu")


def _leaky_relu(graph, z):
    """max(z, 0.01 z), as ``_activations.leaky_relu``; the slope a constant of the graph's type."""
    slope = graph.constant("leaky_relu_slope", LEAKY_RELU_SLOPE)
    return graph.node("Max", [z, graph.node("Mul", [z, slope], "sloped")], "leaky_relu")


def _elu(graph, z):
    """Relu(z) + α (Exp(Min(z, 0)) − 1), as ``_activations.elu``."""
    non_positive = graph.node("Min", [z, graph.constant("zero", 0.0)], "non_positive_z")
    expm1 = graph.node(
        "Sub", [graph.node("Exp", [non_positive], "exp"), graph.constant("one", 1.0)], "expm1"
    )
    negative_part = graph.node(
        "Mul", [expm1, graph.constant("elu_alpha", ELU_ALPHA)], "elu_negative"
    )
    return graph.node("Add", [_relu(graph, z), negative_part], "elu")


def _gelu(graph, z):
    """z Φ(z): with Erf in a float graph; without it in a double graph (no double Erf kernel)."""
    if graph.dtype == np.float64:
        return _gelu_without_erf(graph, z)
    scaled = graph.node("Div", [z, graph.constant("sqrt2", math.sqrt(2))], "z_over_sqrt2")
    one_plus_erf = graph.node(
        "Add", [graph.node("Erf", [scaled], "erf"), graph.constant("one", 1.0)], "one_plus_erf"
    )
    half_z = graph.node("Mul", [z, graph.constant("half", 0.5)], "half_z")
    return graph.node("Mul", [half_z, one_plus_erf], "gelu")


@functools.cache
def _erfc_polynomial():
    """Coefficients p_0 … p_n of P with ``erfc(u) = 2 Exp(P(y) − u²) / (2 + u)``.

    ``y = (2 − u) / (2 + u)`` maps u ∈ [0, ∞) onto y ∈ (−1, 1], and
    ``P(y) = log((2 + u) · erfcx(u) / 2)``, with ``erfcx(u) = e^(u²) erfc(u)``,
    is smooth there: 0 at u = 0, tending to ``log(1 / (2√π))`` as u → ∞ (the
    substitution t = 2 / (2 + u) of Numerical Recipes' ``erfccheb``).
    P is interpolated at Chebyshev points; degree 24 leaves an error of about
    1e-15 in P and its coefficients under 1 in size, so Horner's rule in y
    loses nothing.
    """
    from numpy.polynomial import chebyshev
    from scipy.special import erfcx

    def log_scaled_erfcx(y):
        u = 2 * (1 - y) / (1 + y)
        return np.log((2 + u) * erfcx(u) / 2)

    series = chebyshev.chebinterpolate(log_scaled_erfcx, _ERFC_POLYNOMIAL_DEGREE)
    return chebyshev.cheb2poly(series)


def _gelu_without_erf(graph, z):
    """z Φ(z) = Relu(z) − |z| erfc(u) / 2, u = |z| / √2, erfc from :func:`_erfc_polynomial`."""
    magnitude = graph.node("Abs", [z], "abs_z")
    u = graph.node("Mul", [magnitude, graph.constant("inv_sqrt2", 1 / math.sqrt(2))], "u")
    two = graph.constant("two", 2.0)
    two_plus_u = graph.node("Add", [two, u], "two_plus_u")
    y = graph.node("Div", [graph.node("Sub", [two, u], "two_minus_u"), two_plus_u], "y")
    coefficients = _erfc_polynomial()
    p = graph.constant("erfc_p", coefficients[-1])
    for k in range(len(coefficients) - 2, -1, -1):  # Horner: p = p y + p_k
        p = graph.node("Mul", [p, y], "erfc_py")
        p = graph.node("Add", [p, graph.constant(f"erfc_p{k}", coefficients[k])], "erfc_p")
    exponent = graph.node("Sub", [p, graph.node("Mul", [u, u], "u_squared")], "erfc_exponent")
    half_erfc = graph.node("Div", [graph.node("Exp", [exponent], "exp"), two_plus_u], "half_erfc")
    tail = graph.node("Mul", [magnitude, half_erfc], "gelu_tail")
    return graph.node("Sub", [_relu(graph, z), tail], "gelu")


def _silu(graph, z):
    # z / (1 + e^(−z)) = z σ(z). Not Mul(z, Sigmoid(z)): onnxruntime ≤ 1.30 fuses that
    # pair into an operator with float32 kernels only, and a double graph fails to load.
    one = graph.constant("one", [1.0])
    exp = graph.node("Exp", [graph.node("Neg", [z], "neg_z")], "exp")
    return graph.node("Div", [z, graph.node("Add", [one, exp], "one_plus_exp")], "silu")


def _softplus(graph, z):
    """log(1 + e^z) = Relu(z) + Log(1 + Exp(−|z|)): e^x only of x ≤ 0, so finite for finite z."""
    negative_magnitude = graph.node("Neg", [graph.node("Abs", [z], "abs_z")], "neg_abs_z")
    one_plus_exp = graph.node(
        "Add",
        [graph.node("Exp", [negative_magnitude], "exp"), graph.constant("one", 1.0)],
        "one_plus_exp",
    )
    log_term = graph.node("Log", [one_plus_exp], "log1p_exp")
    return graph.node("Add", [_relu(graph, z), log_term], "softplus")


def _mish(graph, z):
    return graph.node("Mul", [z, graph.node("Tanh", [_softplus(graph, z)], "tanh")], "mish")


_HIDDEN_ACTIVATIONS = {
    "identity": _identity,
    "logistic": _operator("Sigmoid"),
    "tanh": _operator("Tanh"),
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "gelu": _gelu,
    "silu": _silu,
    "softplus": _softplus,
    "mish": _mish,
}


# --- the converter: input, layers, output head, labels -------------------------------


def _input_matrix(graph, operator):
    """One input X, or one per column of a DataFrame: cast to the float type, side by side."""
    input_type = _float_tensor_type(operator)
    columns = []
    for variable in operator.inputs:
        column = variable.full_name
        if not isinstance(variable.type, input_type):
            column = graph.node("Cast", [column], "cast_input", to=graph.proto_type)
        columns.append(column)
    return columns[0] if len(columns) == 1 else graph.node("Concat", columns, "input", axis=1)


def _logits(graph, model, a):
    """The layers ``z_l = a_{l-1} W_l + b_l``, each hidden one followed by its activation."""
    if model.activation not in _HIDDEN_ACTIVATIONS:
        raise NotImplementedError(f"No ONNX form for the activation {model.activation!r}.")
    activation = _HIDDEN_ACTIVATIONS[model.activation]
    last = len(model.coefs_) - 1
    for layer, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        z = graph.node("MatMul", [a, graph.constant(f"coef_{layer}", W)], f"matmul_{layer}")
        z = graph.node("Add", [z, graph.constant(f"intercept_{layer}", b)], f"z_{layer}")
        a = z if layer == last else activation(graph, z)
    return a


def _output_head(graph, model, logits, label_out, proba_out):
    """``_heads.classify`` as a graph: write the probabilities; return the label indices.

    Multilabel models write their int64 indicator matrix into ``label_out``
    and return None; the others return indices into ``classes_`` for
    :func:`_label_lookup`.
    """
    from onnx import TensorProto

    multilabel = is_multilabel(model.out_activation_, model.n_outputs_)
    if model.out_activation_ == "logistic" and not multilabel:  # binary: the columns [−z, z]
        negated = graph.node("Neg", [logits], "neg_logits")
        logits = graph.node("Concat", [negated, logits], "signed_logits", axis=1)
    output = "Softmax" if model.out_activation_ == "softmax" else "Sigmoid"
    graph.node(output, [logits], "probabilities", output=proba_out)
    if multilabel:
        positive = graph.node("Greater", [logits, graph.constant("zero", np.zeros(1))], "positive")
        graph.node("Cast", [positive], "label", output=label_out, to=TensorProto.INT64)
        return None
    return graph.node("ArgMax", [logits], "label_index", axis=1, keepdims=0)


def _label_lookup(graph, classes, index, label_out):
    """``label = classes[index]``: Gather on a constant int64 or string tensor."""
    from onnx import TensorProto

    if _label_kind(classes) == "int64":
        table = graph.constant("classes", classes.astype(np.int64), TensorProto.INT64)
    else:
        table = graph.name("classes")
        graph.container.add_initializer(
            table, TensorProto.STRING, [len(classes)], [str(c).encode("utf-8") for c in classes]
        )
    graph.node("Gather", [table, index], "label", output=label_out, axis=0)


def _converter(scope, operator, container):
    """Write the network's forward pass and its outputs as ONNX nodes."""
    from sklearn.utils.validation import check_is_fitted

    model = operator.raw_operator
    check_is_fitted(model)
    graph = _Graph(scope, operator, container)
    logits = _logits(graph, model, _input_matrix(graph, operator))
    outputs = [variable.full_name for variable in operator.outputs]
    if not is_classifier(model):  # a regressor: Exp(z) for loss='poisson', else z
        output = "Exp" if model.out_activation_ == "exp" else "Identity"
        graph.node(output, [logits], "variable", output=outputs[0])
        return
    index = _output_head(graph, model, logits, *outputs)
    if index is not None:
        _label_lookup(graph, _output_classes(scope, model), index, outputs[0])


def register_onnx_converter():
    """Register the ONNX converters of both estimators with skl2onnx.

    After this call ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn``
    convert :class:`TinyMLPClassifier` and :class:`TinyMLPRegressor` on their
    own or inside a Pipeline (or any other composite skl2onnx supports).
    :func:`to_onnx` calls it for you. Calling it again does nothing.

    The converter accepts skl2onnx's usual classifier options: ``zipmap``
    (True by default in skl2onnx, False to get a plain probability tensor,
    'columns' for one output per class), ``output_class_labels`` and ``nocl``
    (class indices instead of labels).

    Raises
    ------
    ImportError
        If skl2onnx is not installed (``pip install "sklearn-tinymlp[onnx]"``).

    Examples
    --------
    >>> from sklearn_tinymlp import register_onnx_converter
    >>> register_onnx_converter()  # doctest: +SKIP
    """
    global _REGISTERED
    if _REGISTERED:
        return
    try:
        from skl2onnx import update_registered_converter
    except ImportError as exc:
        raise ImportError(
            "ONNX export needs skl2onnx, onnx and (to run the model) onnxruntime; install "
            'them with: pip install "sklearn-tinymlp[onnx]"'
        ) from exc

    from ._classifier import TinyMLPClassifier
    from ._regressor import TinyMLPRegressor

    update_registered_converter(
        TinyMLPRegressor, "SklearnTinyMLPRegressor", _shape_calculator, _converter
    )
    update_registered_converter(
        TinyMLPClassifier,
        "SklearnTinyMLPClassifier",
        _shape_calculator,
        _converter,
        options={
            "zipmap": [True, False, "columns"],
            "output_class_labels": [False, True],
            "nocl": [False, True],
        },
    )
    _REGISTERED = True


def to_onnx(model, X_sample, *, zipmap=False, target_opset=None, options=None, name=None):
    """Convert a fitted TinyMLPClassifier or TinyMLPRegressor, or a pipeline, to ONNX.

    Parameters
    ----------
    model : TinyMLPClassifier, TinyMLPRegressor or scikit-learn composite
        A fitted estimator, or a fitted Pipeline (or other estimator skl2onnx
        can convert) whose steps include one.
    X_sample : array-like of shape (n_samples, n_features)
        A few rows of input; only their dtype and width are used. float32
        gives a float32 graph (``FloatTensorType``), float64 a double graph.
        A DataFrame gives one input per column, named after the columns.
    zipmap : bool or 'columns', default=False
        skl2onnx's ZipMap option for every TinyMLPClassifier in ``model``.
        False (this function's default, unlike skl2onnx's) makes
        ``probabilities`` a tensor of shape (n_samples, n_classes); True makes
        it a list of {label: probability} dicts.
    target_opset : int or dict, default=None
        Passed to ``skl2onnx.to_onnx``; None means the newest opset skl2onnx
        supports.
    options : dict, default=None
        Further skl2onnx options, merged over the ``zipmap`` option.
    name : str, default=None
        Name of the ONNX graph.

    Returns
    -------
    onnx_model : onnx.ModelProto
        A graph with input ``X`` and, for a classifier, outputs ``label``
        (int64 or string, an int64 indicator matrix for multilabel models) and
        ``probabilities``; for a regressor, ``variable`` of shape
        (n_samples, n_outputs).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tinymlp import TinyMLPClassifier, to_onnx
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    >>> clf = TinyMLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, [0, 1, 1, 0])
    >>> onx = to_onnx(clf, X)  # doctest: +SKIP
    >>> [o.name for o in onx.graph.output]  # doctest: +SKIP
    ['label', 'probabilities']
    """
    from sklearn.utils.validation import check_is_fitted

    register_onnx_converter()
    import skl2onnx

    check_is_fitted(model)
    return skl2onnx.to_onnx(
        model,
        _first_row(X_sample),
        options=_merged_options(zipmap, options),
        target_opset=target_opset,
        name=name,
    )


def _merged_options(zipmap, options):
    """skl2onnx's options: ``zipmap`` for TinyMLPClassifier, ``options`` merged over it."""
    from ._classifier import TinyMLPClassifier

    merged = {TinyMLPClassifier: {"zipmap": zipmap}}
    for key, value in (options or {}).items():
        merged[key] = {**merged.get(key, {}), **value}
    return merged


def _first_row(X_sample):
    """The sample's first row as a 2-D array (a DataFrame unchanged), or a clear error."""
    if sparse.issparse(X_sample):
        raise TypeError(
            "The ONNX graph takes dense input: pass X_sample as a dense array, e.g. "
            "X_sample.toarray(), and feed dense rows to the runtime."
        )
    if hasattr(X_sample, "columns"):
        return X_sample
    X_sample = np.asarray(X_sample)
    if X_sample.ndim != 2:
        raise ValueError(
            f"X_sample must be 2-dimensional (n_samples, n_features), got shape {X_sample.shape}."
        )
    return X_sample[:1]
