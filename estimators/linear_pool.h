// Linear opinion pool: the KCRV's distribution is the mixture of the labs' distributions.
//
// M. Stone, Ann. Math. Stat. 32 (1961) 1339 (the linear opinion pool); A. Koepke, T. Lafarge,
// A. Possolo, B. Toman, Metrologia 54 (2017) S34, sec. 3.4 and the NIST Consensus Builder's
// linearOP.R. Lab i contributes N(x_i, u_i^2), or, when its dof nu_i is finite, a Student t
// with nu_i dof: scaled to standard deviation u_i (x_i + u_i sqrt((nu_i-2)/nu_i) T) when
// nu_i > 2, and, as the Consensus Builder does, scaled by u_i / phi(nu_i) with its empirical
// factor phi when 1 <= nu_i <= 2; weight pi_i (equal by default). KCRV = mixture mean
// sum pi_i x_i; u = mixture standard deviation sqrt(sum pi_i (u_i^2 + (x_i - KCRV)^2)), or,
// when a component has nu_i <= 2 and so no finite variance, the standard deviation of the
// draws (a sample figure, with a warning); interval = the mixture's quantiles (1-p)/2 and
// (1+p)/2, found by a root finder to full double precision. Draws from the mixture fill
// kcrv_draws for the Monte Carlo DoE.
// Settings: weights=equal|inverse_variance|w1,w2,... (one per included lab, in file order),
// dof=use|strict|ignore (strict refuses nu_i <= 2), draws=N.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateLinearPool(const LabSample& sample, const EstimatorOptions& options);

/// The NIST Consensus Builder's factor phi(nu) for 1 <= nu <= 2 (linearOP.R): such a lab's
/// component is x_i + (u_i / phi) t_nu.
double NicobSmallDofFactor(double nu);

inline constexpr EstimatorInfo kLinearPoolInfo{
    "linear_pool",
    "linear opinion pool: mixture of the labs' normal (or scaled Student t) distributions; "
    "KCRV = mixture mean, u = mixture sd (the draws' sd when a lab has dof <= 2), interval "
    "from the mixture quantiles",
    "Koepke et al., Metrologia 54 (2017) S34 (NIST Consensus Builder); Stone, Ann. Math. Stat. "
    "32 (1961) 1339",
    1, false, "mixture_sd"};

}  // namespace keycomp
