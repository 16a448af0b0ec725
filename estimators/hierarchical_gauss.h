// Hierarchical Bayesian random-effects model with Gauss lab effects.
//
// References: Koepke et al., Metrologia 54 (2017) S34 (NIST Consensus Builder); Roever, J. Stat. Softw. 93 (2020) 6.
// Model, priors, settings and numerical method: see estimators/hierarchical_model.h and
// docs/estimators.md. The KCRV is the posterior MEAN of mu (as the NIST Consensus Builder
// reports it), u its posterior standard deviation, the interval the probabilistically
// symmetric posterior interval, tau the posterior MEAN of tau (posterior median in extra
// 'tau_median'). Posterior draws of mu and tau fill kcrv_draws and tau_draws.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateHierarchicalGauss(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kHierarchicalGaussInfo{
    "hierarchical_gauss",
    "hierarchical Bayes, Gaussian (normal) lab effects; posterior by quadrature over tau when every u_i is exact (infinite dof), else Gibbs sampling; KCRV = posterior mean of mu, u = posterior sd",
    "Koepke et al., Metrologia 54 (2017) S34 (NIST Consensus Builder); Roever, J. Stat. Softw. 93 (2020) 6", 3, true, "posterior_sd"};

}  // namespace keycomp
