// The generalised least-squares estimate of a common value from correlated results, shared by
// the `gls` estimator and the chi-squared consistency check.
#pragma once

#include <Eigen/Dense>
#include <optional>

#include "core/estimator.h"

namespace keycomp {

struct GlsSolution {
  Eigen::VectorXd weights;  ///< a = V^-1 1 / (1' V^-1 1), summing to one
  double value = 0;         ///< a' x
  double total = 0;         ///< 1' V^-1 1 = 1/u^2(value)
  double chi2 = 0;          ///< (x - value 1)' V^-1 (x - value 1)
};

/// Solves with V = the sample's covariance, factorised by pivoted LDL' (never inverted), with
/// one step of iterative refinement. Empty when V is singular to working precision.
std::optional<GlsSolution> SolveGls(const LabSample& sample);

}  // namespace keycomp
