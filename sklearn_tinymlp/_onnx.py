"""Export to ONNX: the forward pass written as ONNX nodes, registered with skl2onnx.

The graph is the same forward pass as ``_network.forward``: for each layer
``z = a W + b`` (MatMul, Add), the hidden activation (Sigmoid, Tanh, Relu or
nothing for 'identity'), then the output head:

* multiclass: ``probabilities = Softmax(z)``, ``label = classes_[ArgMax(z)]``;
* binary (one sigmoid unit): ``probabilities = Sigmoid([−z, z])`` — the
  ``[σ(−z), σ(z)]`` of ``predict_proba`` — and ``label = classes_[z > 0]``;
* multilabel: ``probabilities = Sigmoid(z)``, ``label = Cast(z > 0)`` (an
  int64 indicator matrix, as ``predict`` returns).

Labels are looked up with Gather on a constant tensor of ``classes_``, so the
outputs follow skl2onnx's classifier convention: ``label`` (int64 or string)
and ``probabilities`` (float, or double when the input is double).  skl2onnx's
default classifier parser adds its ZipMap on top unless the option
``zipmap=False`` is given; :func:`to_onnx` passes ``zipmap=False`` by default.

skl2onnx and onnx are imported only when a function here is called, so the
package does not depend on them.
"""

import numpy as np
from scipy import sparse

_REGISTERED = False
_ALIAS = "SklearnTinyMLPClassifier"
_HIDDEN_OPS = {"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "identity": None}


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


def _shape_calculator(operator):
    """Set the types and shapes of the ``label`` and ``probabilities`` outputs."""
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )

    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    n_columns = len(model.classes_)
    multilabel = model._label_binarizer.y_type_ == "multilabel-indicator"
    if multilabel:
        label_type = Int64TensorType([n_rows, n_columns])
    elif _label_kind(_output_classes(operator.scope_inst, model)) == "int64":
        label_type = Int64TensorType([n_rows])
    else:
        label_type = StringTensorType([n_rows])
    proba_cls = DoubleTensorType if _is_double(operator) else FloatTensorType
    operator.outputs[0].type = label_type
    operator.outputs[1].type = proba_cls([n_rows, n_columns])


def _converter(scope, operator, container):
    """Write the network's forward pass and label lookup as ONNX nodes."""
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
    from sklearn.utils.validation import check_is_fitted

    model = operator.raw_operator
    check_is_fitted(model)
    double = _is_double(operator)
    input_type = DoubleTensorType if double else FloatTensorType
    dtype = np.float64 if double else np.float32
    proto_type = TensorProto.DOUBLE if double else TensorProto.FLOAT

    def name(hint):
        return scope.get_unique_variable_name(hint)

    def node(op_type, inputs, hint, **attrs):
        output = name(hint)
        container.add_node(
            op_type, inputs, [output], name=scope.get_unique_operator_name(op_type), **attrs
        )
        return output

    def constant(hint, values, onnx_type=proto_type):
        values = np.asarray(values)
        const = name(hint)
        container.add_initializer(const, onnx_type, list(values.shape), values.ravel().tolist())
        return const

    # One input X, or one per column when the sample was a DataFrame: cast each
    # to the graph's float type and put the columns side by side.
    columns = []
    for variable in operator.inputs:
        column = variable.full_name
        if not isinstance(variable.type, input_type):
            column = node("Cast", [column], "cast_input", to=proto_type)
        columns.append(column)
    a = columns[0] if len(columns) == 1 else node("Concat", columns, "input", axis=1)

    hidden_op = _HIDDEN_OPS[model.activation]
    last = len(model.coefs_) - 1
    for layer, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        # z_l = a_{l-1} W_l + b_l  (the derivation's forward step)
        z = node("MatMul", [a, constant(f"coef_{layer}", np.asarray(W, dtype))], f"matmul_{layer}")
        z = node("Add", [z, constant(f"intercept_{layer}", np.asarray(b, dtype))], f"z_{layer}")
        if layer < last and hidden_op is not None:
            z = node(hidden_op, [z], f"a_{layer}")
        a = z
    logits = a

    label_out = operator.outputs[0].full_name
    proba_out = operator.outputs[1].full_name
    y_type = model._label_binarizer.y_type_
    if y_type == "multilabel-indicator":
        container.add_node(
            "Sigmoid", [logits], [proba_out], name=scope.get_unique_operator_name("Sigmoid")
        )
        positive = node("Greater", [logits, constant("zero", np.zeros(1, dtype))], "positive")
        container.add_node(
            "Cast",
            [positive],
            [label_out],
            name=scope.get_unique_operator_name("Cast"),
            to=TensorProto.INT64,
        )
        return

    if y_type == "binary":
        # predict_proba returns [σ(−z), σ(z)] and predict picks classes_[z > 0].
        negated = node("Neg", [logits], "neg_logits")
        both = node("Concat", [negated, logits], "signed_logits", axis=1)
        container.add_node(
            "Sigmoid", [both], [proba_out], name=scope.get_unique_operator_name("Sigmoid")
        )
        positive = node("Greater", [logits, constant("zero", np.zeros(1, dtype))], "positive")
        index = node("Cast", [positive], "positive_int", to=TensorProto.INT64)
        index = node(
            "Reshape",
            [index, constant("flat_shape", np.array([-1], np.int64), TensorProto.INT64)],
            "label_index",
        )
    else:
        container.add_node(
            "Softmax",
            [logits],
            [proba_out],
            name=scope.get_unique_operator_name("Softmax"),
            axis=1,
        )
        index = node("ArgMax", [logits], "label_index", axis=1, keepdims=0)

    classes = _output_classes(scope, model)
    if _label_kind(classes) == "int64":
        table = constant("classes", classes.astype(np.int64), TensorProto.INT64)
    else:
        table = name("classes")
        container.add_initializer(
            table, TensorProto.STRING, [len(classes)], [str(c).encode("utf-8") for c in classes]
        )
    container.add_node(
        "Gather", [table, index], [label_out], name=scope.get_unique_operator_name("Gather"), axis=0
    )


def register_onnx_converter():
    """Register the ONNX converter of :class:`TinyMLPClassifier` with skl2onnx.

    After this call ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn``
    convert the classifier on its own or inside a Pipeline (or any other
    composite skl2onnx supports). :func:`to_onnx` calls it for you. Calling it
    again does nothing.

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

    update_registered_converter(
        TinyMLPClassifier,
        _ALIAS,
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
    """Convert a fitted TinyMLPClassifier, or a pipeline containing one, to ONNX.

    Parameters
    ----------
    model : TinyMLPClassifier or scikit-learn composite
        A fitted classifier, or a fitted Pipeline (or other estimator skl2onnx
        can convert) whose steps include TinyMLPClassifier.
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
        A graph with input ``X`` and outputs ``label`` (int64 or string, an
        int64 indicator matrix for multilabel models) and ``probabilities``.

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

    from ._classifier import TinyMLPClassifier

    all_options = {TinyMLPClassifier: {"zipmap": zipmap}}
    for key, value in (options or {}).items():
        all_options[key] = {**all_options.get(key, {}), **value}
    if sparse.issparse(X_sample):
        raise TypeError(
            "The ONNX graph takes dense input: pass X_sample as a dense array, e.g. "
            "X_sample.toarray(), and feed dense rows to the runtime."
        )
    if not hasattr(X_sample, "columns"):
        X_sample = np.asarray(X_sample)
        if X_sample.ndim != 2:
            raise ValueError(
                f"X_sample must be 2-dimensional (n_samples, n_features), got shape "
                f"{X_sample.shape}."
            )
        X_sample = X_sample[:1]
    return skl2onnx.to_onnx(
        model, X_sample, options=all_options, target_opset=target_opset, name=name
    )
