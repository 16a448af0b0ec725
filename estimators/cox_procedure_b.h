// Procedure B of Cox: the median of the results, with its uncertainty and coverage interval by
// Monte Carlo.
//
// M. G. Cox, "The evaluation of key comparison data", Metrologia 39 (2002) 589-595,
// section 5 (Procedure B): the KCRV is the median of the results; the probability distribution
// of the median is obtained by Monte Carlo, drawing each result from the distribution its
// result and uncertainty describe and taking the median of every draw; u(KCRV) is the standard
// deviation of those medians and the 95 % coverage interval comes from their distribution.
//
// Conventions:
// - The point estimate is the median of the results themselves (mean of the two middle values
//   for even n), not the mean of the Monte Carlo medians (reported as extra
//   `monte_carlo_mean`).
// - Draws: x*_i = x_i + u_i e_i, e_i ~ N(0, 1), or Student t_{nu_i} with scale u_i when nu_i is
//   finite (JCGM 101:2008 6.4.9).
// - Coverage interval: the probabilistically symmetric interval of the Monte Carlo medians at
//   options.coverage (JCGM 101:2008 7.7).
// - options.internal_trials trials, seeded by options.seed, bit-identical whatever
//   options.threads (estimators/lab_resampling.h).
// - The median is not linear in the results: `weights` stays empty.
#pragma once

#include "core/estimator.h"

namespace keycomp {

/// Median with Monte Carlo u and coverage interval. No settings.
EstimatorResult EstimateCoxProcedureB(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kCoxProcedureBInfo{
    "cox_procedure_b",
    "median (Procedure B); u and coverage interval from the Monte Carlo distribution of the "
    "median",
    "Cox, Metrologia 39 (2002) 589, Procedure B",
    3,
    false,
    "monte_carlo"};

}  // namespace keycomp
