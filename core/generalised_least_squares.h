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

/// Pivoted LDL' of a covariance matrix, empty when V is not positive definite to working
/// precision (smallest pivot below n eps times the largest).
std::optional<Eigen::LDLT<Eigen::MatrixXd>> FactoriseCovariance(const Eigen::MatrixXd& v);

/// r' V^-1 r from FactoriseCovariance with one step of iterative refinement; empty when V is
/// singular.
std::optional<double> InverseQuadraticForm(const Eigen::MatrixXd& v, const Eigen::VectorXd& r);

/// Solves with V = the sample's covariance, factorised by pivoted LDL' (never inverted), with
/// one step of iterative refinement. Empty when V is singular to working precision.
std::optional<GlsSolution> SolveGls(const LabSample& sample);

}  // namespace keycomp
