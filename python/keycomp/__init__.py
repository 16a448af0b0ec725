"""keycomp: analysis of CIPM key comparisons (KCRV estimators, degrees of equivalence,
consistency checks, Monte Carlo), the same engine and JSON as the ``keycomp`` command line."""

from ._keycomp import (  # noqa: F401
    Analysis,
    Comparison,
    ComputationError,
    InputError,
    estimators,
    read_comparison,
)
from . import _keycomp

__all__ = [
    "Analysis",
    "Comparison",
    "ComputationError",
    "InputError",
    "analyse",
    "estimators",
    "read_comparison",
]


def analyse(comparison, estimators=None, *, mc=0, seed=20261123, threads=0, coverage=0.95,
            exclude=(), settings=None, doe="mra", dark_uncertainty="", bootstrap="parametric",
            chi2_over="included", doe_uncertainty="exact", kcrv=None, kcrv_u=None,
            kcrv_covariance="estimator"):
    """Runs ``keycomp analyse`` on a Comparison; the keywords are the CLI's options.

    ``estimators``: a list of names, a comma-separated string, ``"all"`` (the CLI's --all) or
    None (weighted_mean). ``settings``: {"ESTIMATOR.NAME": "VALUE"} as --set. Returns an
    Analysis whose ``to_dict()`` equals the CLI's JSON. Bad options raise InputError."""
    all_ = False
    if estimators is None:
        names = []
    elif isinstance(estimators, str):
        if estimators == "all":
            all_, names = True, []
        else:
            names = [s for s in estimators.split(",") if s]
    else:
        names = list(estimators)
    if isinstance(exclude, str):
        exclude = [s for s in exclude.split(",") if s]
    settings = {str(k): str(v) for k, v in (settings or {}).items()}
    return _keycomp._analyse(comparison, names, all_, int(mc), int(seed), int(threads),
                             float(coverage), list(exclude), settings, doe, dark_uncertainty,
                             bootstrap, chi2_over, doe_uncertainty, kcrv, kcrv_u,
                             kcrv_covariance)
