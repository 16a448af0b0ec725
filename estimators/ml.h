// Maximum likelihood: tau^2 maximises the Gaussian random-effects likelihood profiled over mu.
//
// J. Hardy, S. G. Thompson, "A likelihood approach to meta-analysis with random effects",
// Stat. Med. 15 (1996) 619-629; W. Viechtbauer, "Bias and efficiency of meta-analytic variance
// estimators in the random-effects model", J. Educ. Behav. Stat. 30 (2005) 261, eq. (8).
//   l(mu, tau^2) = -1/2 sum [ln(u_i^2 + tau^2) + (x_i - mu)^2 / (u_i^2 + tau^2)],
// maximised over tau^2 >= 0 with mu = mu(tau^2) the w*-weighted mean. The likelihood can have
// several local maxima (a boundary one at tau^2 = 0 when the score is <= 0 there, and one at
// each root of sum w*_i^2 (x_i - mu)^2 = sum w*_i where the score falls): all are found
// (random_effects::MaximiseLikelihood) and the highest is returned; `extra.local_maxima`
// counts them, with a warning when there is more than one. Settings: u = default |
// knapp_hartung | modified_knapp_hartung.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateMaximumLikelihood(const LabSample& sample,
                                          const EstimatorOptions& options);

inline constexpr EstimatorInfo kMaximumLikelihoodInfo{
    "ml",
    "random-effects mean, tau^2 by maximum likelihood (mu profiled out, tau^2 >= 0); u = "
    "1/sqrt(sum 1/(u_i^2+tau^2)), Knapp-Hartung with --set ml.u=knapp_hartung",
    "Hardy & Thompson, Stat. Med. 15 (1996) 619", 2, true, "random_effects"};

}  // namespace keycomp
