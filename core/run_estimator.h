// Runs an estimator on a comparison: picks the included labs, centres and scales their data,
// calls the estimator, maps the results back and completes what the estimator left open.
#pragma once

#include "core/comparison.h"
#include "core/estimator.h"

namespace keycomp {

/// Throws InputError when the comparison has fewer included labs than the estimator needs or
/// when the options are invalid. Non-convergence is returned as a status, not thrown.
EstimatorResult RunEstimator(const Estimator& estimator, const Comparison& comparison,
                             const EstimatorOptions& options);

/// The normal quantile z with P(|Z| <= z) = coverage.
double NormalCoverageFactor(double coverage);

}  // namespace keycomp
