// The weighted mean with the Birge-ratio-scaled uncertainty, and Bodnar & Elster's correction.
//
// R. T. Birge, "The calculation of errors by the method of least squares", Phys. Rev. 40
// (1932) 207; O. Bodnar, C. Elster, "On the adjustment of inconsistent data using the Birge
// ratio", Metrologia 51 (2014) 516-521.
// x = sum w_i x_i / W, w_i = 1/u_i^2, R_B = sqrt(chi2/(n-1)), chi2 = sum w_i (x_i - x)^2.
//   factor=birge (default): u = max(1, R_B)/sqrt(W), the stated uncertainties enlarged only
//     when the data are inconsistent (the usual practice, e.g. CODATA); normal interval.
//   factor=bodnar_elster: the Birge model x_i ~ N(mu, sigma^2 u_i^2) with the reference prior
//     1/sigma gives mu | x ~ x + R_B/sqrt(W) t_{n-1}, whose standard deviation is
//     u = sqrt((n-1)/(n-3)) R_B/sqrt(W) (n >= 4); the interval is the posterior's symmetric
//     t_{n-1} interval. As in the paper, R_B is not floored at 1 here: the model's scale factor
//     sigma is estimated, not constrained to be >= 1.
// Weights for the DoE: w_i/W.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateBirgeWeightedMean(const LabSample& sample,
                                          const EstimatorOptions& options);

inline constexpr EstimatorInfo kBirgeWeightedMeanInfo{
    "birge_weighted_mean",
    "weighted mean with u = max(1, R_B)/sqrt(W) (Birge ratio R_B); "
    "--set birge_weighted_mean.factor=bodnar_elster for sqrt((n-1)/(n-3)) R_B/sqrt(W)",
    "Birge, Phys. Rev. 40 (1932) 207; Bodnar & Elster, Metrologia 51 (2014) 516", 2, false,
    "birge"};

}  // namespace keycomp
