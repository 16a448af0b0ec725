// The inverse-variance weighted mean: Procedure A of Cox (2002).
//
// M. G. Cox, "The evaluation of key comparison data", Metrologia 39 (2002) 589-595, eqs. (1)-(2).
// The internal u = 1/sqrt(W) is the default; the external u multiplies it by the Birge ratio
// R_B = sqrt(chi2/(n-1)) (R. T. Birge, Phys. Rev. 40 (1932) 207), whatever its value.
#pragma once

#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// x = sum w_i x_i / W, w_i = 1/u_i^2; u_internal = 1/sqrt(W) (default);
/// u_external = R_B/sqrt(W) with the Birge ratio R_B. Setting: u=internal|external.
EstimatorResult EstimateWeightedMean(const LabSample& sample, const EstimatorOptions& options);

/// The KCRV alone, without allocation (the Monte Carlo fast path; see core/estimator.h).
double WeightedMeanPoint(const LabSample& sample, const EstimatorOptions& options,
            std::vector<double>& workspace);

inline constexpr EstimatorInfo kWeightedMeanInfo{
    "weighted_mean",
    "inverse-variance weighted mean (Procedure A); u = 1/sqrt(W) (internal) by default, "
    "Birge-scaled with --set weighted_mean.u=external",
    "Cox, Metrologia 39 (2002) 589, Procedure A", 1, false, "internal"};

}  // namespace keycomp
