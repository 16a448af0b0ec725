// Restricted maximum likelihood: tau^2 maximises the restricted (residual) likelihood.
//
// D. A. Harville, "Maximum likelihood approaches to variance component estimation and to
// related problems", JASA 72 (1977) 320-338; for meta-analysis W. Viechtbauer, J. Educ. Behav.
// Stat. 30 (2005) 261, eq. (10).
//   l_R(tau^2) = -1/2 sum [ln(u_i^2 + tau^2) + w*_i (x_i - mu(tau^2))^2] - 1/2 ln sum w*_i,
// maximised over tau^2 >= 0. The restricted likelihood can have several local maxima (a
// boundary one at tau^2 = 0 when the score is <= 0 there, and one at each root of
//   sum w*_i^2 (x_i - mu)^2 = sum w*_i - sum w*_i^2 / sum w*_i
// where the score falls; the right side is formed without cancellation): all are found
// (random_effects::MaximiseLikelihood) and the highest is returned; `extra.local_maxima`
// counts them, with a warning when there is more than one. Settings: u = default |
// knapp_hartung | modified_knapp_hartung.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateRestrictedMaximumLikelihood(const LabSample& sample,
                                                    const EstimatorOptions& options);

inline constexpr EstimatorInfo kRestrictedMaximumLikelihoodInfo{
    "reml",
    "random-effects mean, tau^2 by restricted maximum likelihood (tau^2 >= 0); u = "
    "1/sqrt(sum 1/(u_i^2+tau^2)), Knapp-Hartung with --set reml.u=knapp_hartung",
    "Harville, JASA 72 (1977) 320; Viechtbauer, J. Educ. Behav. Stat. 30 (2005) 261", 2, true,
    "random_effects"};

}  // namespace keycomp
