// Hierarchical Bayesian random-effects model with Student lab effects.
//
// References: Possolo et al., J. Res. NIST 126 (2021) 126007 (NIST Decision Tree).
// Model, priors, settings and numerical method: see estimators/hierarchical_model.h and
// docs/estimators.md. The KCRV is the posterior MEAN of mu (as the NIST Consensus Builder
// reports it), u its posterior standard deviation, the interval the probabilistically
// symmetric posterior interval, tau the posterior MEAN of tau (posterior median in extra
// 'tau_median'). Posterior draws of mu and tau fill kcrv_draws and tau_draws.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateHierarchicalStudent(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kHierarchicalStudentInfo{
    "hierarchical_student",
    "hierarchical Bayes, Student t lab effects (effect_dof, default 4) with standard deviation tau; Gibbs sampling; KCRV = posterior mean of mu, u = posterior sd",
    "Possolo et al., J. Res. NIST 126 (2021) 126007 (NIST Decision Tree)", 3, true, "posterior_sd"};

}  // namespace keycomp
