"""Tests of the keycomp Python module against the keycomp command line and closed forms.

Run by ctest (python_module_test) with PYTHONPATH=build/python, KEYCOMP_BINARY and
KEYCOMP_SOURCE_DIR set."""

import json
import math
import os
import subprocess

import pytest

import keycomp

SOURCE = os.environ.get("KEYCOMP_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("KEYCOMP_BINARY", os.path.join(SOURCE, "build", "cli", "keycomp"))
K25 = os.path.join(SOURCE, "datasets", "ccqm_k25_pcb28", "results.csv")
K30 = os.path.join(SOURCE, "datasets", "ccqm_k30_pb_wine", "results.csv")


def cli_json(*args):
    """The CLI's JSON and exit code; the JSON must be there whatever the exit code."""
    run = subprocess.run([BINARY, "analyse", *args, "--format", "json"], capture_output=True,
                         text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout.strip(), run.stderr
    return json.loads(run.stdout), run.returncode


def assert_equals_cli(result, *args):
    expected, code = cli_json(*args)
    got = result.to_dict()
    # Not two empty documents: the comparison was read and every estimator asked for is there.
    assert got["comparison"]["n"] > 0 and got["results"]
    assert got == expected
    assert result.converged == (code == 0)
    return got


@pytest.mark.parametrize("path", [K25, K30])
def test_all_estimators_equal_cli_json(path):
    result = keycomp.analyse(keycomp.read_comparison(path), "all")
    got = assert_equals_cli(result, path, "--all")
    runnable = [e["name"] for e in keycomp.estimators() if e["min_labs"] <= got["comparison"]["n"]]
    assert [e["estimator"] for e in got["results"]] == runnable


@pytest.mark.parametrize("path", [K25, K30])
def test_monte_carlo_equals_cli_json(path):
    comparison = keycomp.read_comparison(path)
    result = keycomp.analyse(comparison, ["weighted_mean", "dersimonian_laird"], mc=2000,
                             seed=7, threads=2)
    got = assert_equals_cli(result, path, "-e", "weighted_mean,dersimonian_laird", "--mc", "2000",
                            "--seed", "7", "--threads", "2")
    assert all(e["uncertainty_method"] == "monte_carlo" for e in got["results"])


def test_options_equal_cli_json():
    comparison = keycomp.read_comparison(K30)
    result = keycomp.analyse(comparison, "median,paule_mandel,weighted_mean", exclude=["LGC"],
                             doe="leave_one_out", chi2_over="all",
                             settings={"weighted_mean.u": "external"})
    got = assert_equals_cli(result, K30, "-e", "median,paule_mandel,weighted_mean", "--exclude",
                            "LGC", "--doe", "leave_one_out", "--chi2-over", "all", "--set",
                            "weighted_mean.u=external")
    assert comparison.include[comparison.labs.index("LGC")]
    assert got["comparison"]["n_included"] == sum(comparison.include) - 1
    assert got["results"][2]["kcrv"]["u_kind"] == "external"


def published(path):
    with open(os.path.join(os.path.dirname(path), "published.json"), encoding="utf-8") as f:
        return json.load(f)


def test_k25_dersimonian_laird_equals_published():
    # metafor rma(method="DL") as printed in NIST's code (datasets/ccqm_k25_pcb28/published.json),
    # 4 decimals: half a unit of the last digit.
    pub = published(K25)
    d = keycomp.analyse(keycomp.read_comparison(K25), "dersimonian_laird").to_dict()
    r = d["results"][0]
    assert r["kcrv"]["value"] == pytest.approx(pub["kcrv"], abs=5e-5)
    assert r["kcrv"]["u"] == pytest.approx(pub["u_kcrv"], abs=5e-5)
    assert r["tau"] == pytest.approx(pub["tau"], abs=5e-5)
    assert r["kcrv"]["interval"] == pytest.approx(pub["ci95_normal"], abs=5e-5)
    assert d["consistency"]["chi2"] == pytest.approx(pub["cochran_Q"], abs=5e-5)


def test_k30_arithmetic_mean_equals_published():
    # metRology's Pb.Rd: KCRV 2.99 mg/kg (3 significant digits).
    pub = published(K30)
    d = keycomp.analyse(keycomp.read_comparison(K30), "arithmetic_mean").to_dict()
    assert d["results"][0]["kcrv"]["value"] == pytest.approx(pub["kcrv"], abs=5e-3)


def test_weighted_mean_closed_form():
    # Two labs 1 and 3 with u = 1: KCRV 2, u = 1/sqrt(2), d = -1 and 1 with
    # u(d)^2 = u_i^2 - u^2(KCRV) = 1/2, chi2 = 2 on 1 dof.
    comparison = keycomp.Comparison(labs=["A", "B"], values=[1.0, 3.0], u=[1.0, 1.0])
    d = keycomp.analyse(comparison).to_dict()
    kcrv = d["results"][0]["kcrv"]
    assert kcrv["value"] == pytest.approx(2.0, rel=1e-12)
    assert kcrv["u"] == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    doe = {e["lab"]: e for e in d["results"][0]["doe"]}
    assert doe["A"]["d"] == pytest.approx(-1.0, rel=1e-12)
    assert doe["B"]["u"] == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert d["consistency"]["chi2"] == pytest.approx(2.0, rel=1e-12)


def test_comparison_from_arrays_matches_file():
    from_file = keycomp.read_comparison(K30)
    built = keycomp.Comparison(labs=from_file.labs, values=from_file.values, u=from_file.u,
                               dof=from_file.dof, include=from_file.include)
    a = keycomp.analyse(from_file, "all").to_dict()
    b = keycomp.analyse(built, "all").to_dict()
    assert a["results"] == b["results"]
    assert a["consistency"] == b["consistency"]


def test_bad_comparison_raises_input_error():
    with pytest.raises(keycomp.InputError, match="u must be > 0"):
        keycomp.Comparison(labs=["A", "B"], values=[1.0, 2.0], u=[1.0, -1.0])
    with pytest.raises(ValueError, match="entries"):
        keycomp.Comparison(labs=["A", "B"], values=[1.0], u=[1.0, 1.0])
    assert issubclass(keycomp.InputError, ValueError)


def test_bad_file_message_is_the_cli_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("lab,value,u\nA,1.0,0.1\nB,2.0,abc\n")
    with pytest.raises(keycomp.InputError) as caught:
        keycomp.read_comparison(str(bad))
    run = subprocess.run([BINARY, "analyse", str(bad)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 2
    assert run.stderr.strip() == "keycomp: " + str(caught.value)


def test_bad_options_raise_input_error():
    comparison = keycomp.read_comparison(K25)
    with pytest.raises(keycomp.InputError, match="unknown estimator"):
        keycomp.analyse(comparison, ["no_such_estimator"])
    with pytest.raises(keycomp.InputError, match="100 trials"):
        keycomp.analyse(comparison, mc=10)
    with pytest.raises(keycomp.InputError):
        keycomp.analyse(comparison, doe="bogus")


def cli_estimators():
    """`keycomp estimators` (a table: a line per estimator, its reference on the next) parsed."""
    run = subprocess.run([BINARY, "estimators"], capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines()
    assert lines[0].split()[:4] == ["name", "min_labs", "tau", "default_u"]
    out = []
    for line in lines[1:]:
        if line.startswith(" "):
            out[-1]["reference"] = line.strip().removeprefix("[").removesuffix("]")
            continue
        name, min_labs, tau, default_u, description = line.split(None, 4)
        out.append(dict(name=name, description=description, min_labs=int(min_labs),
                        between_lab_term=tau == "yes", default_u=default_u, plugin=False))
    return out


def test_estimators_list_matches_cli():
    cli = cli_estimators()
    assert len(cli) >= 19
    ours = [e for e in keycomp.estimators() if not e.get("plugin")]
    assert ours == cli


def test_example_script_runs():
    script = os.path.join(SOURCE, "examples", "python_k25.py")
    run = subprocess.run([os.sys.executable, script, K25], capture_output=True, text=True,
                         check=False, env=dict(os.environ))
    assert run.returncode == 0, run.stderr
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()[1:]}
    # DerSimonian-Laird as published (metafor, 4 decimals; datasets/ccqm_k25_pcb28/published.json)
    assert float(rows["dersimonian_laird"][0]) == pytest.approx(published(K25)["kcrv"], abs=5e-5)
    assert float(rows["dersimonian_laird"][1]) == pytest.approx(published(K25)["u_kcrv"], abs=5e-5)
    assert len(rows) == len([e for e in keycomp.estimators() if not e["plugin"]])


def test_ctrl_c_interrupts_monte_carlo():
    # A long Monte Carlo run in a child interpreter; SIGINT after it has started must end it
    # with KeyboardInterrupt well before it would finish.
    import signal
    import time
    code = ("import keycomp, sys, time\n"
            f"c = keycomp.read_comparison({K30!r})\n"
            "print('start', flush=True)\n"
            "t = time.time()\n"
            "try:\n"
            "    keycomp.analyse(c, 'dersimonian_laird', mc=3000000, threads=1)\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', time.time() - t, flush=True)\n"
            "    sys.exit(3)\n")
    child = subprocess.Popen([os.sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    assert child.stdout.readline().strip() == "start"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 3, out
    assert "interrupted" in out


def python_weighted_mean(x, u, dof):
    # Procedure A (Cox 2002) written independently in numpy: w = u^-2 / sum u^-2.
    import numpy as np
    w = u ** -2.0 / np.sum(u ** -2.0)
    return {"kcrv": float(np.dot(w, x)), "u": float(np.sum(u ** -2.0) ** -0.5), "weights": w}


def test_python_weighted_mean_plugin_equals_builtin():
    keycomp.register_estimator("py_weighted_mean", python_weighted_mean, min_labs=1)
    assert keycomp.estimators()[-1]["name"] == "py_weighted_mean"
    assert keycomp.estimators()[-1]["plugin"] is True
    c = keycomp.read_comparison(K25)
    for mc in (0, 2000):
        d = keycomp.analyse(c, ["weighted_mean", "py_weighted_mean"], mc=mc, seed=11).to_dict()
        builtin, plugin = d["results"]
        assert plugin["status"] == "ok"
        assert plugin["kcrv"]["value"] == pytest.approx(builtin["kcrv"]["value"], rel=1e-12)
        assert plugin["kcrv"]["u"] == pytest.approx(builtin["kcrv"]["u"], rel=1e-12)
        for a, b in zip(plugin["doe"], builtin["doe"]):
            assert a["d"] == pytest.approx(b["d"], rel=1e-12, abs=1e-12)
            assert a["u"] == pytest.approx(b["u"], rel=1e-12)


def test_exception_in_plugin_is_a_failed_estimator():
    def broken(x, u, dof):
        raise ValueError("no consensus today")
    keycomp.register_estimator("py_broken", broken)
    result = keycomp.analyse(keycomp.read_comparison(K25), ["weighted_mean", "py_broken"])
    d = result.to_dict()
    assert not result.converged
    assert d["results"][0]["status"] == "ok"
    assert d["results"][1]["status"] == "failed"
    assert "ValueError: no consensus today" in d["results"][1]["message"]
    keycomp.register_estimator("py_bad_return", lambda x, u, dof: "nonsense")
    d = keycomp.analyse(keycomp.read_comparison(K25), "py_bad_return").to_dict()
    assert d["results"][0]["status"] == "failed"
    with pytest.raises(keycomp.InputError):
        keycomp.register_estimator("weighted_mean", python_weighted_mean)
