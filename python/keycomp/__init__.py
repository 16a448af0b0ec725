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
    "register_estimator",
]


def register_estimator(name, function, *, min_labs=2, reference="", description="",
                       between_lab_term=False):
    """Registers ``function(values, u, dof)`` as the estimator ``name``.

    The function receives the included labs' values, standard uncertainties and degrees of
    freedom as numpy arrays (in the data's unit; dof is inf when unknown), and ``settings=``
    (a dict) only when the analysis gives ``NAME.KEY=VALUE`` settings for it. It returns
    ``(kcrv, u)`` or a dict with ``kcrv``, ``u`` and optionally ``weights`` (the linear
    weights, one per lab: the analytic DoE then carry the covariance with the KCRV) and
    ``tau`` (between-lab standard deviation). It then runs through the built-ins' machinery:
    ``analyse(c, [name], mc=...)`` gives the bootstrap DoE. An exception inside it, or a bad
    return value, is a failed estimator with the Python message. Registering a name again
    replaces it. Analyses that use a Python estimator run on one thread."""
    _keycomp._register_estimator(str(name), function, int(min_labs), str(reference),
                                 str(description), bool(between_lab_term))


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
