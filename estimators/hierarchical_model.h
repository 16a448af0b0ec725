// The random-effects models of the NIST Consensus Builder and the NIST Decision Tree, shared by
// hierarchical_gauss, hierarchical_laplace and hierarchical_student.
//
// Model (A. Koepke, T. Lafarge, A. Possolo, B. Toman, Metrologia 54 (2017) S34, sec. 3 and
// appendix; NIST Consensus Builder code bayesGelman.R and bayesLaplace.R; A. Possolo et al.,
// J. Res. NIST 126 (2021) 126007):
//
//   x_i | lambda_i, sigma_i  ~ N(lambda_i, sigma_i^2)
//   lambda_i | mu, tau       ~ N(mu, tau^2)                         (Gauss)
//                            ~ Laplace(mu, b = tau / sqrt(2))         (Laplace; sd tau)
//                            ~ mu + tau sqrt((nu-2)/nu) t_nu           (Student; sd tau, nu > 2)
//   nu_i u_i^2 / sigma_i^2   ~ chi2(nu_i)  when nu_i is finite, sigma_i ~ half-Cauchy(median u)
//   sigma_i = u_i                           when nu_i is infinite
//   mu flat (the limit of the Consensus Builder's N(0, 1e10)), tau ~ half-Cauchy(mad(x)).
//
// Gaussian effects with every sigma_i known: the posterior of tau is one-dimensional
// (mu integrated analytically), computed by quadrature as in C. Roever, J. Stat. Softw. 93
// (2020) 6 (bayesmeta). Otherwise: Gibbs sampling with data augmentation (half-Cauchy priors
// as inverse-gamma mixtures, M. P. Wand et al., Bayesian Anal. 6 (2011) 847; Laplace effects
// as normal scale mixtures, T. Park & G. Casella, JASA 103 (2008) 681; Student effects as
// inverse-gamma scale mixtures), slice sampling of log tau (R. M. Neal, Ann. Stat. 31 (2003)
// 705) and a joint rescaling move of (lambda - mu, tau) against the funnel at small tau.
#pragma once

#include "core/estimator.h"

namespace keycomp::hierarchical {

enum class Effects { kGauss, kLaplace, kStudent };

/// Runs the hierarchical model with the given lab-effect distribution. `name` is the
/// estimator's registry name (for settings and messages).
EstimatorResult Estimate(const char* name, Effects effects, const LabSample& sample,
                         const EstimatorOptions& options);

}  // namespace keycomp::hierarchical
