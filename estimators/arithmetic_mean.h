// The arithmetic mean of the included results.
//
// M. G. Cox, "The evaluation of key comparison data", Metrologia 39 (2002) 589-595.
// Internal u = sqrt(sum u_i^2)/n propagates the stated uncertainties (as in CCEM.RF-K25.W);
// external u = s/sqrt(n) reflects the observed scatter (as in CCT-K7).
#pragma once

#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// x = sum x_i / n; u_internal = sqrt(sum u_i^2)/n; u_external = s/sqrt(n) (default).
/// Setting: u=internal|external.
EstimatorResult EstimateArithmeticMean(const LabSample& sample, const EstimatorOptions& options);

/// The KCRV alone, without allocation (the Monte Carlo fast path; see core/estimator.h).
double ArithmeticMeanPoint(const LabSample& sample, const EstimatorOptions& options,
            std::vector<double>& workspace);

inline constexpr EstimatorInfo kArithmeticMeanInfo{
    "arithmetic_mean",
    "unweighted mean; u = s/sqrt(n) (external) by default, sqrt(sum u_i^2)/n (internal) with "
    "--set arithmetic_mean.u=internal",
    "Cox, Metrologia 39 (2002) 589", 2, false, "external"};

}  // namespace keycomp
