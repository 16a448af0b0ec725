// Generalised least squares: the best linear unbiased estimate of a common value from results
// with a full covariance matrix V (correlated results).
//
//   x_ref = (1' V^-1 1)^-1 1' V^-1 x,   u^2(x_ref) = (1' V^-1 1)^-1,
//   chi2  = (x - x_ref 1)' V^-1 (x - x_ref 1)   (n - 1 degrees of freedom).
//
// A. C. Aitken, "On least squares and linear combination of observations", Proc. R. Soc. Edinb.
// 55 (1935) 42-48; for key comparisons M. G. Cox, "The evaluation of key comparison data",
// Metrologia 39 (2002) 589, section 6 and M. G. Cox, "The evaluation of key comparison data:
// determining the largest consistent subset", Metrologia 44 (2007) 187 (correlated case);
// CCM.M-K8 comparisons use it for the pilot's common link. Without correlations it is the
// weighted mean. V is factorised (pivoted LDL'), never inverted; a singular V (a correlation
// of +-1 that makes two results carry the same information) is refused as a failed estimate.
#pragma once

#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// Setting: u=internal (default, (1'V^-1 1)^-1/2) | external (times sqrt(chi2/(n-1))).
EstimatorResult EstimateGls(const LabSample& sample, const EstimatorOptions& options);

/// The KCRV alone for the Monte Carlo DoE (allocates: V is factorised again on each call).
double GlsPoint(const LabSample& sample, const EstimatorOptions& options,
                std::vector<double>& workspace);

inline constexpr EstimatorInfo kGlsInfo{
    "gls",
    "generalised least squares with the full covariance of the results (correlations); "
    "u = (1'V^-1 1)^-1/2, Birge-scaled with --set gls.u=external",
    "Aitken, Proc. R. Soc. Edinb. 55 (1935) 42; Cox, Metrologia 39 (2002) 589", 1, false,
    "internal"};

}  // namespace keycomp
