"""Draw the derivation's 2-2-1 network with its nine parameters (docs/math.rst)."""

import matplotlib.pyplot as plt

NODES = {
    "x1": (0.0, 1.0, "$x_1$", "0.85"),
    "x2": (0.0, 0.0, "$x_2$", "0.85"),
    "h1": (1.0, 1.0, "$a_1$", "tab:red"),
    "h2": (1.0, 0.0, "$a_2$", "tab:green"),
    "out": (2.0, 0.5, r"$\hat{y}$", "tab:purple"),
}
# (from, to, label, where along the edge the label sits)
EDGES = [
    ("x1", "h1", "$w_{11}$", 0.5),
    ("x2", "h1", "$w_{21}$", 0.28),
    ("x1", "h2", "$w_{12}$", 0.28),
    ("x2", "h2", "$w_{22}$", 0.5),
    ("h1", "out", "$w_1$", 0.5),
    ("h2", "out", "$w_2$", 0.5),
]
BIASES = {"h1": "$b_1$", "h2": "$b_2$", "out": "$b$"}


def draw(ax=None):
    """Draw the network on ``ax`` (a new figure when None) and return the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.0))
    for start, end, label, t in EDGES:
        (x0, y0, *_), (x1, y1, *_) = NODES[start], NODES[end]
        ax.annotate(
            "",
            xy=(x1 - 0.12, y1 + (y0 - y1) * 0.12 / max(abs(x1 - x0), 1e-9)),
            xytext=(x0 + 0.12, y0 + (y1 - y0) * 0.12),
            arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 1.2},
        )
        ax.text(
            x0 + (x1 - x0) * t,
            y0 + (y1 - y0) * t,
            label,
            ha="center",
            va="center",
            fontsize=12,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
    for name, (x, y, label, color) in NODES.items():
        ax.add_patch(plt.Circle((x, y), 0.12, color=color, zorder=3))
        ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=13,
            zorder=4,
            color="black" if color == "0.85" else "white",
        )
        if name in BIASES:
            ax.text(x, y + 0.2, f"bias {BIASES[name]}", ha="center", va="bottom", fontsize=11)
    ax.text(0.0, -0.35, "inputs", ha="center", fontsize=11)
    ax.text(1.0, -0.35, "hidden layer\n(sigmoid units)", ha="center", va="top", fontsize=11)
    ax.text(2.0, 0.15, "output\n(sigmoid)", ha="center", va="top", fontsize=11)
    ax.set(xlim=(-0.35, 2.35), ylim=(-0.75, 1.45), aspect="equal")
    ax.axis("off")
    return ax
