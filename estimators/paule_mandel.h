// Paule-Mandel: tau^2 such that the generalised Q statistic equals its expectation n - 1.
//
// R. C. Paule, J. Mandel, "Consensus values and weighting factors", J. Res. Natl. Bur. Stand.
// 87 (1982) 377-385; the estimating equation in the form of R. DerSimonian, R. Kacker,
// Contemp. Clin. Trials 28 (2007) 105, eq. (7):
//   sum_i (x_i - mu(tau^2))^2 / (u_i^2 + tau^2) = n - 1,  mu(tau^2) the w*-weighted mean,
// and tau^2 = 0 when the left side is already <= n - 1 at tau^2 = 0. The left side decreases
// strictly in tau^2, so the root is unique; it is found by TOMS 748 to full double precision.
// Settings: u = default | knapp_hartung | modified_knapp_hartung.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimatePauleMandel(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kPauleMandelInfo{
    "paule_mandel",
    "random-effects mean, tau^2 from generalised Q = n-1 (Paule-Mandel); u = "
    "1/sqrt(sum 1/(u_i^2+tau^2)), Knapp-Hartung with --set paule_mandel.u=knapp_hartung",
    "Paule & Mandel, J. Res. NBS 87 (1982) 377", 2, true, "random_effects"};

}  // namespace keycomp
