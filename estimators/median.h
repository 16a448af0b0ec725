// The median of the included results (the point estimate of Cox's Procedure B), with a choice of
// standard uncertainty (`--set median.u=...`; docs/estimators.md, section `median`).
//
// M. G. Cox, "The evaluation of key comparison data", Metrologia 39 (2002) 589-595.
// - `made` (default): u = sqrt(pi/2) MADe / sqrt(n), MADe = 1.4826 median|x_i - median(x)|:
//   ISO Guide 35:2017, formula (B.26) (there with the factor rounded to 1.253), the same form as
//   ISO 13528:2015 7.7.3 (factor 1.25). sqrt(pi/2) is the large-sample ratio of the standard
//   deviation of the median to that of the mean for normal data. Undefined when MADe = 0 (more
//   than half the residuals are zero): status `failed`, never u = 0.
// - `bootstrap`: nonparametric bootstrap over the labs (Efron 1979): the standard deviation of the
//   medians of options.internal_trials resamples of the n values drawn with replacement; fixed
//   seed, bit-identical whatever options.threads (estimators/lab_resampling.h). The stated u_i
//   play no part. Failed when every value is equal.
// The Monte Carlo of the stated uncertainties (draw x_i + u_i e_i) is `cox_procedure_b`.
// The median is not linear in the results, so the analytic DoE neglect its covariance with each
// lab; cox_procedure_b and --mc carry it.
#pragma once

#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// The median, with u = sqrt(pi/2) MADe / sqrt(n) (default) or the bootstrap standard deviation
/// of the median. Setting: u=made|bootstrap.
EstimatorResult EstimateMedian(const LabSample& sample, const EstimatorOptions& options);

/// The KCRV alone, without allocation (the Monte Carlo fast path; see core/estimator.h).
double MedianPoint(const LabSample& sample, const EstimatorOptions& options,
                   std::vector<double>& workspace);

inline constexpr EstimatorInfo kMedianInfo{
    "median",
    "median of the results; u = 1.2533 MADe/sqrt(n) (made) by default, bootstrap over labs with "
    "--set median.u=bootstrap",
    "Cox, Metrologia 39 (2002) 589; ISO Guide 35:2017 (B.26)",
    3,
    false,
    "made"};

}  // namespace keycomp
