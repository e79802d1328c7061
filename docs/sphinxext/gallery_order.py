"""Order of the example gallery: from the derivation to the ecosystem."""

import os

# The derivation first, then the model's behaviour, then tuning and practice.
FIRST = [
    "plot_derivation_xor.py",
    "plot_decision_boundaries.py",
    "plot_loss_curves.py",
    "plot_validation_set_and_dropout.py",
    "plot_grid_search.py",
    "plot_class_weight.py",
    "plot_partial_fit_stream.py",
    "plot_vs_mlpclassifier.py",
    "plot_regression.py",
]


class GalleryOrder:
    """Sort key for sphinx-gallery: the examples in FIRST, then the rest by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        if name in FIRST:
            return (0, FIRST.index(name), name)
        return (1, 0, name)

    def __repr__(self):
        return "GalleryOrder"
