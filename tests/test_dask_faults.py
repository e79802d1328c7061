"""Training on Dask survives what clusters do (issue 21): lost or paused workers, a closed client.

Each test runs on a fresh ``LocalCluster(n_workers=2, threads_per_worker=1,
processes=True)`` bound to 127.0.0.1 and runs its fit under a watchdog, so that
a hang fails the test instead of stalling the run. The faults are injected
where every evaluation of the full-batch objective starts: when it reads where
the blocks live (``_dask.block_holders``), or inside a block's task on a
worker.
"""

import os
import re
import signal
import threading

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_tinymlp import TinyMLPClassifier, _dask

from helpers import assert_same_weights, quiet_convergence

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

pytestmark = [
    pytest.mark.slow,
    quiet_convergence,
    pytest.mark.filterwarnings(
        # distributed warns about ports, slow event loops, lost workers and closed comms
        "ignore::UserWarning:distributed",
        "ignore::ResourceWarning",
        "ignore::RuntimeWarning",
    ),
]

WATCHDOG_S = 120  # far above a fault-free fit here (a few seconds); a hang is what it catches
X, y = make_classification(20_000, 20, n_informative=10, random_state=0)
LBFGS = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=8, tol=0, random_state=0)


def _cluster():
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    )


@pytest.fixture
def client():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


def _X():
    return da.from_array(X, chunks=(2500, -1))  # 8 blocks, spread over both workers


def _fit_under_watchdog(estimator, X_fit, **params):
    """``estimator.fit(X_fit, y)`` in a thread; fails the test if it runs past the watchdog."""
    outcome = {}

    def fit():
        try:
            outcome["fitted"] = estimator.set_params(**params).fit(X_fit, y)
        except BaseException as error:  # handed to the test below
            outcome["error"] = error

    thread = threading.Thread(target=fit, daemon=True)
    thread.start()
    thread.join(WATCHDOG_S)
    if thread.is_alive():
        pytest.fail(f"fit hung: still running after {WATCHDOG_S} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["fitted"]


@pytest.fixture(scope="module")
def fault_free():
    """The fault-free fit on its own cluster, which each faulted fit must equal bit for bit."""
    with _cluster() as cluster, distributed.Client(cluster):
        return _fit_under_watchdog(TinyMLPClassifier(), _X(), **LBFGS)


def _assert_same_fit(fitted, reference):
    assert fitted.n_iter_ == reference.n_iter_
    assert_same_weights(fitted, reference)
    assert fitted.loss_curve_ == reference.loss_curve_


def _at_evaluation(monkeypatch, evaluation, fault):
    """Run ``fault(client, holders)`` once evaluation number ``evaluation`` has read the holders.

    The evaluation then goes on with what it read, as it would if the fault
    came a moment after the read.
    """
    real = _dask.block_holders
    calls = []

    def block_holders(X_blocks):
        holders = real(X_blocks)

        def faulted():
            where = holders()
            calls.append(where)
            if len(calls) == evaluation:
                fault(distributed.default_client(), where)
            return where

        return faulted

    monkeypatch.setattr(_dask, "block_holders", block_holders)
    return calls


def _kill(client, address):
    pid = client.run(os.getpid, workers=[address])[address]
    os.kill(pid, signal.SIGKILL)


def test_worker_killed_as_an_evaluation_starts(fault_free, client, monkeypatch):
    # The evaluation pins block 0's task to a worker that is dead a moment later.
    calls = _at_evaluation(monkeypatch, 4, lambda c, where: _kill(c, where[0][0]))
    fitted = _fit_under_watchdog(TinyMLPClassifier(), _X(), **LBFGS)
    assert len(calls) > 4
    _assert_same_fit(fitted, fault_free)


def test_worker_retired_as_an_evaluation_starts(fault_free, client, monkeypatch):
    def retire(c, where):
        c.retire_workers(workers=[where[0][0]], close_workers=True)

    calls = _at_evaluation(monkeypatch, 4, retire)
    fitted = _fit_under_watchdog(TinyMLPClassifier(), _X(), **LBFGS)
    assert len(calls) > 4 and len(client.scheduler_info()["workers"]) == 1
    _assert_same_fit(fitted, fault_free)


def _dying_block_sums(armed, *args):
    """``block_sums``, but the first task to find the file ``armed`` kills its own worker."""
    if os.path.exists(armed):
        try:
            os.close(os.open(armed + ".claimed", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            pass
        else:
            os.kill(os.getpid(), signal.SIGKILL)
    return _dask.block_sums(*args)


def test_worker_killed_during_an_evaluation(fault_free, client, monkeypatch, tmp_path):
    armed = str(tmp_path / "armed")
    calls = _at_evaluation(monkeypatch, 4, lambda c, where: open(armed, "w").close())
    monkeypatch.setattr(_dask, "block_sums", lambda *args: _dying_block_sums(armed, *args))
    fitted = _fit_under_watchdog(TinyMLPClassifier(), _X(), **LBFGS)
    assert os.path.exists(armed + ".claimed"), "no worker was killed"
    assert len(calls) > 4
    _assert_same_fit(fitted, fault_free)


def test_full_batch_gradient_descent_survives_a_kill(client, monkeypatch):
    params = dict(hidden_layer_sizes=(8,), solver="sgd", batch_size=len(y), max_iter=6)
    fault_free = _fit_under_watchdog(TinyMLPClassifier(random_state=0), _X(), **params)
    _at_evaluation(monkeypatch, 3, lambda c, where: _kill(c, where[-1][0]))
    fitted = _fit_under_watchdog(TinyMLPClassifier(random_state=0), _X(), **params)
    _assert_same_fit(fitted, fault_free)


def test_adam_survives_a_kill_between_blocks(client, monkeypatch):
    params = dict(hidden_layer_sizes=(8,), solver="adam", batch_size=500, max_iter=3)
    fault_free = _fit_under_watchdog(TinyMLPClassifier(random_state=0), _X(), **params)
    real, fetched = _dask._fetch, []

    def fetch(block):  # a worker dies as the fifth block is fetched: Dask recomputes its blocks
        fetched.append(block)
        if len(fetched) == 5:
            c = distributed.default_client()
            _kill(c, sorted(c.scheduler_info()["workers"])[0])
        return real(block)

    monkeypatch.setattr(_dask, "_fetch", fetch)
    fitted = _fit_under_watchdog(TinyMLPClassifier(random_state=0), _X(), **params)
    assert len(fetched) == 3 * 8
    _assert_same_fit(fitted, fault_free)


def _pause(client, address):
    def pause(dask_worker):  # its memory monitor now finds it above its pause threshold
        dask_worker.memory_manager.memory_pause_fraction = 1e-6

    client.run(pause, workers=[address])
    while client.scheduler_info()["workers"][address]["status"] != "paused":
        threading.Event().wait(0.05)


def test_a_paused_worker_holding_a_block_stops_the_fit_with_the_cause(client, monkeypatch):
    _at_evaluation(monkeypatch, 3, lambda c, where: _pause(c, where[0][0]))
    with dask.config.set({"sklearn_tinymlp.block-timeout": 3}):
        with pytest.raises(TimeoutError, match=r"paused.*more memory.*block-timeout") as caught:
            _fit_under_watchdog(TinyMLPClassifier(), _X(), **LBFGS)
    assert "for 3 s" in str(caught.value)


def _slow_block_sums(*args):
    threading.Event().wait(1.0)
    return _dask.block_sums(*args)


def test_a_client_closed_during_lbfgs_says_so(client, monkeypatch):
    def close_while_blocks_run(c, where):  # each block's task now takes a second
        monkeypatch.setattr(_dask, "block_sums", lambda *args: _slow_block_sums(*args))
        threading.Timer(0.5, c.close).start()

    _at_evaluation(monkeypatch, 3, close_while_blocks_run)
    clf = TinyMLPClassifier()
    with pytest.raises(RuntimeError, match="Dask client was closed while fit was running"):
        _fit_under_watchdog(clf, _X(), **LBFGS)
    assert not hasattr(clf, "coefs_")  # left as it was before fit


def test_a_client_closed_during_adam_says_so(client, monkeypatch):
    real, fetched = _dask._fetch, []

    def fetch(block):
        fetched.append(block)
        if len(fetched) == 5:
            distributed.default_client().close()
        return real(block)

    monkeypatch.setattr(_dask, "_fetch", fetch)
    clf = TinyMLPClassifier((8,), solver="adam", batch_size=500, max_iter=3, random_state=0)
    with pytest.raises(RuntimeError, match="Dask client was closed while fit was running"):
        _fit_under_watchdog(clf, _X())
    assert not hasattr(clf, "coefs_")  # left as it was before fit


def test_a_block_above_the_workers_pause_threshold_is_refused_before_training(client):
    limit = min(w["memory_limit"] for w in client.scheduler_info()["workers"].values())
    _dask.check_worker_memory(None, 10 * limit, 0)  # no client: nothing known to check
    _dask.check_worker_memory(client, 10**6, 5 * 10**6)  # 6 MB fits
    with pytest.raises(ValueError, match=r"pauses at 0.8 .*more memory.*smaller row chunks"):
        _dask.check_worker_memory(client, int(0.7 * limit), int(0.1 * limit))


def test_lazy_prediction_survives_a_worker_killed_while_it_computes(client):
    clf = TinyMLPClassifier((8,), solver="lbfgs", max_iter=20, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    X_dask = _X().persist()
    distributed.wait(X_dask)
    lazy = clf.predict_proba(X_dask)
    future = client.compute(lazy)
    _kill(client, sorted(client.scheduler_info()["workers"])[0])  # while its blocks compute
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=future.result()), daemon=True)
    thread.start()
    thread.join(WATCHDOG_S)
    assert not thread.is_alive(), f"predict_proba hung: still running after {WATCHDOG_S} s"
    np.testing.assert_array_equal(outcome["result"], expected)


NO_PACKAGE = """
# A worker preload: this worker's Python cannot import sklearn_tinymlp.
import sys


class NoPackage:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] == "sklearn_tinymlp":
            raise ModuleNotFoundError(f"No module named {name!r}")


sys.meta_path.insert(0, NoPackage)
"""


def test_a_worker_without_the_package_is_named_instead_of_waited_on(tmp_path):
    # Such a worker cannot read the fit's tasks, and Dask would wait on them with no end.
    (tmp_path / "no_package.py").write_text(NO_PACKAGE)
    clf = TinyMLPClassifier((8,), solver="lbfgs", max_iter=5, random_state=0).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",
            preload=[str(tmp_path / "no_package.py")],
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        address = list(client.scheduler_info()["workers"])
        message = rf"workers cannot import sklearn_tinymlp: {re.escape(str(address))}\. Install"
        for solver in ("lbfgs", "adam"):
            with pytest.raises(RuntimeError, match=message):
                _fit_under_watchdog(TinyMLPClassifier(), _X(), solver=solver, max_iter=2)
        with pytest.raises(RuntimeError, match=message):
            clf.predict_proba(_X())
