// DerSimonian-Laird: the method-of-moments random-effects estimator.
//
// R. DerSimonian, N. Laird, "Meta-analysis in clinical trials", Controlled Clinical Trials 7
// (1986) 177-188, eqs. (3)-(4) (tau^2 from Cochran's Q); u(mu) = 1/sqrt(sum w*_i).
// Conventions: w_i = 1/u_i^2, W = sum w_i, Q = sum w_i (x_i - x_wm)^2,
//   tau^2 = max(0, (Q - (n-1)) / (W - sum w_i^2 / W)),
//   w*_i = 1/(u_i^2 + tau^2), mu = sum w*_i x_i / sum w*_i.
// Settings: u = default | knapp_hartung | modified_knapp_hartung (estimators/
// random_effects_common.h). tau_interval is the Q-profile interval (Viechtbauer 2007).
#pragma once

#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// DerSimonian-Laird tau^2 (closed form) and the random-effects weighted mean.
EstimatorResult EstimateDerSimonianLaird(const LabSample& sample,
                                         const EstimatorOptions& options);

/// The KCRV alone, without allocation (the Monte Carlo fast path; see core/estimator.h).
double DerSimonianLairdPoint(const LabSample& sample, const EstimatorOptions& options,
                             std::vector<double>& workspace);

inline constexpr EstimatorInfo kDerSimonianLairdInfo{
    "dersimonian_laird",
    "random-effects mean, tau^2 by the method of moments (DerSimonian-Laird); u = "
    "1/sqrt(sum 1/(u_i^2+tau^2)), Knapp-Hartung with --set dersimonian_laird.u=knapp_hartung",
    "DerSimonian & Laird, Control. Clin. Trials 7 (1986) 177", 2, true, "random_effects"};

}  // namespace keycomp
