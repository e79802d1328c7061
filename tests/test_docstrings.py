"""The estimators' class docstrings are complete numpydoc: See Also, Notes, References, Examples."""

import inspect

import pytest
from sklearn.base import BaseEstimator

import sklearn_tinymlp

docscrape = pytest.importorskip("numpydoc.docscrape", reason="needs numpydoc (the docs extra)")

ESTIMATORS = [
    getattr(sklearn_tinymlp, name)
    for name in sklearn_tinymlp.__all__
    if inspect.isclass(getattr(sklearn_tinymlp, name))
    and issubclass(getattr(sklearn_tinymlp, name), BaseEstimator)
]
SIBLINGS = {"TinyMLPClassifier": "TinyMLPRegressor", "TinyMLPRegressor": "TinyMLPClassifier"}
AUTHORS = ["Rumelhart", "Glorot", "Kingma", "Nocedal"]


def sections(cls):
    return docscrape.ClassDoc(cls, config={"show_class_members": False})


def test_the_estimators_are_found():
    assert sorted(cls.__name__ for cls in ESTIMATORS) == sorted(SIBLINGS)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_see_also_names_scikit_learns_estimator_and_the_sibling(cls):
    see_also = [name for names, _ in sections(cls)["See Also"] for name, _ in names]
    scikit_learns = "sklearn.neural_network." + cls.__name__.removeprefix("Tiny")
    assert see_also == [scikit_learns, SIBLINGS[cls.__name__]]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_notes_give_the_derivation_and_where_the_documentation_lives(cls):
    notes = "\n".join(sections(cls)["Notes"])
    assert "δ_L" in notes and "f'(z" in notes  # the output error and the backward step
    assert "documentation" in notes


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_references_cite_the_four_papers_and_examples_run(cls):
    doc = sections(cls)
    references = "\n".join(doc["References"])
    assert [name for name in AUTHORS if name in references] == AUTHORS
    assert ">>>" in "\n".join(doc["Examples"])
