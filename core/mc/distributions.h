// Probability distributions of the inputs of a measurement model (JCGM 101 section 6.4), their
// moments, their quantile functions (for correlated inputs, Gaussian copula) and bulk sampling.
//
// Conventions (JCGM 101 6.4 unless noted):
//   normal(mean, sd); student_t(mean, scale, dof): mean + scale T_dof (6.4.9);
//   rectangular(low, high); triangular(low, mode, high); arcsine(low, high) (6.4.6, U-shaped);
//   trapezoidal(low, high, beta): beta = top width / base width, 0 <= beta <= 1 (6.4.4);
//   lognormal(meanlog, sdlog) of ln X; gamma(shape, scale); exponential(mean) (6.4.10);
//   poisson(mean); binomial(n, p); constant(value).
// For the GUM first-order propagation each distribution supplies an estimate (its expectation)
// and a standard uncertainty (its standard deviation), except student_t, whose standard
// uncertainty is its scale and whose degrees of freedom are dof: the GUM's Type A convention
// (u = s / sqrt(n), nu = n - 1) that JCGM 101 6.4.9 turns into a t distribution.
#pragma once

#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/mc/random.h"

namespace keycomp::mc {

enum class DistributionKind {
  kNormal,
  kStudentT,
  kRectangular,
  kTriangular,
  kArcsine,
  kTrapezoidal,
  kLognormal,
  kGamma,
  kExponential,
  kPoisson,
  kBinomial,
  kConstant,
};

const char* ToString(DistributionKind kind);
std::optional<DistributionKind> DistributionKindFromString(std::string_view text);

/// A distribution with its parameters in canonical form; only those of its kind are used.
struct Distribution {
  DistributionKind kind = DistributionKind::kConstant;
  double mean = 0;    ///< normal, student_t, exponential, poisson: location / expectation
  double sd = 0;      ///< normal
  double scale = 0;   ///< student_t scale; gamma scale
  double dof = std::numeric_limits<double>::infinity();  ///< student_t
  double low = 0;     ///< rectangular, triangular, arcsine, trapezoidal
  double high = 0;
  double mode = 0;    ///< triangular
  double beta = 0;    ///< trapezoidal
  double meanlog = 0; ///< lognormal
  double sdlog = 0;
  double shape = 0;   ///< gamma
  double n = 0;       ///< binomial trials
  double p = 0;       ///< binomial probability
  double value = 0;   ///< constant

  /// Empty when the parameters are valid; else "FIELD: reason" naming the offending parameter.
  std::string Validate() const;

  /// Expectation E[X].
  double Expectation() const;
  /// Standard deviation sqrt(Var[X]) (infinite for student_t with dof <= 2).
  double StandardDeviation() const;
  /// The standard uncertainty the GUM framework uses for this input (see the header note).
  double GumStandardUncertainty() const;
  /// Degrees of freedom the GUM framework uses (student_t: dof; others infinite).
  double GumDof() const;

  bool is_constant() const { return kind == DistributionKind::kConstant; }
  bool is_discrete() const {
    return kind == DistributionKind::kPoisson || kind == DistributionKind::kBinomial;
  }

  /// x with P(X <= x) = u, u in (0, 1). Continuous distributions only (the Gaussian copula of
  /// correlated inputs uses it); normal and lognormal inputs bypass it through QuantileOfNormal.
  double Quantile(double u) const;
  /// The value of X that corresponds to the standard normal z through the copula:
  /// Quantile(Phi(z)), computed directly (without Phi) for normal and lognormal.
  double QuantileOfNormal(double z) const;

  /// Fills `out` with independent draws.
  void Sample(Xoshiro256pp& rng, std::span<double> out) const;
};

}  // namespace keycomp::mc
