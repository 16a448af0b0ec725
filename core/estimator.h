// The estimator interface. An estimator is a free function over the included labs' data plus
// a description; the explicit table in estimators/registry.cc lists every built-in one.
//
// Estimators see centred and scaled data: RunEstimator (core/run_estimator.h) passes
// x'_i = (x_i - c) / s and u'_i = u_i / s, with c the median of the included values and s the
// median of their uncertainties, and maps the results back. Estimators therefore work with
// numbers of order one whatever the unit (1.000000012 kg, 2.2e9 copies/uL), and location-scale
// equivariance holds by construction.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.h"

namespace keycomp {

/// The included labs' data handed to an estimator (all spans have the same length).
struct LabSample {
  std::span<const double> x;    ///< values
  std::span<const double> u;    ///< standard uncertainties (> 0)
  std::span<const double> dof;  ///< degrees of freedom (inf when unknown)
  /// How the data were centred and scaled: original = centre + scale * x. Estimators need
  /// them only to read settings given in the data's unit (a prior scale, say).
  double centre = 0;
  double scale = 1;
  /// Correlation matrix of these labs' results in sample order, or null when the results are
  /// independent. `gls` models it; the weighted and arithmetic means use it for their u; the
  /// other estimators ignore it (the DoE still carry it through the covariance).
  const Eigen::MatrixXd* correlation = nullptr;
  /// The labs' names in sample order, for messages; empty inside Monte Carlo trials.
  std::span<const std::string> labs = {};
  std::size_t size() const { return x.size(); }
  /// Covariance of the sample, V_ij = r_ij u_i u_j (diagonal without correlations).
  Eigen::MatrixXd Covariance() const;
  /// Variance of sum_i a_i x_i under the sample's covariance.
  double CombinationVariance(const Eigen::VectorXd& a) const;
};

/// Options every estimator receives. Estimator-specific settings travel in `settings`
/// (from `--set NAME=VALUE`); each estimator checks the keys it knows and rejects others.
struct EstimatorOptions {
  double coverage = 0.95;         ///< coverage probability of intervals, in (0, 1)
  std::uint64_t seed = 20261123;  ///< seed for estimators that draw random numbers internally
  std::size_t internal_trials = 100000;  ///< trials for estimators whose u is a Monte Carlo one
  unsigned threads = 0;                  ///< 0: all cores
  std::map<std::string, std::string> settings;  ///< estimator-specific NAME=VALUE settings

  /// Empty when valid, else a readable reason.
  std::string Validate() const;
};

/// A number an estimator reports besides the standard ones, and how it transforms when the
/// data are shifted by c and scaled by s.
struct ExtraValue {
  enum class Kind { kLocation, kScale, kScaleSquared, kDimensionless };
  std::string name;
  double value = std::numeric_limits<double>::quiet_NaN();
  Kind kind = Kind::kDimensionless;
};

/// What an estimator returns. Defaults mean "not run".
struct EstimatorResult {
  Status status = Status::kNotRun;
  std::string message;  ///< why it failed or did not converge; notes otherwise

  double value = std::numeric_limits<double>::quiet_NaN();  ///< the KCRV
  double u = std::numeric_limits<double>::quiet_NaN();      ///< its standard uncertainty
  std::optional<double> u_internal;  ///< propagated from the stated uncertainties
  std::optional<double> u_external;  ///< from the observed scatter
  std::string u_kind;                ///< which one `u` is: "internal", "external", ...

  std::optional<double> tau;  ///< between-lab standard deviation, if the model has one
  std::optional<std::pair<double, double>> tau_interval;  ///< confidence interval for tau

  /// Coverage interval for the KCRV. If the estimator leaves it NaN, RunEstimator sets
  /// value -/+ z u with z the normal quantile.
  double interval_low = std::numeric_limits<double>::quiet_NaN();
  double interval_high = std::numeric_limits<double>::quiet_NaN();
  std::string interval_method;  ///< e.g. "normal", "student_t(4)"

  /// When the KCRV is (conditionally on tau) a linear function sum a_j x_j of the results,
  /// the coefficients a_j (one per lab of the sample; zero for a lab the estimator dropped).
  /// Empty for non-linear estimators. RunEstimator expands it to one entry per lab of the
  /// comparison (zero for excluded labs). Used for the covariance of each lab with the KCRV.
  Eigen::VectorXd weights;

  /// Labs of the sample that the estimator itself set aside (largest consistent subset),
  /// as indices into the sample; RunEstimator maps them to comparison indices.
  std::vector<std::size_t> dropped;

  /// Draws of the KCRV (and of tau, same length, when the model has one) from the estimator's
  /// own distribution: posterior draws for Bayesian estimators, mixture draws for the linear
  /// pool. Empty for estimators that have none. The Monte Carlo DoE (core/mc_doe.h) uses them
  /// instead of a parametric bootstrap. RunEstimator maps them back to the data's units.
  std::vector<double> kcrv_draws;
  std::vector<double> tau_draws;

  int iterations = 0;
  std::vector<std::string> warnings;
  std::vector<ExtraValue> extra;
};

/// What the registry knows of an estimator.
struct EstimatorInfo {
  const char* name;         ///< contract name, e.g. "weighted_mean"
  const char* description;  ///< one line
  const char* reference;    ///< primary reference
  std::size_t min_labs;     ///< fewest included labs it accepts
  bool between_lab_term;    ///< whether it estimates tau
  const char* default_u;    ///< which uncertainty `u` is by default
};

using EstimateFunction = EstimatorResult (*)(const LabSample&, const EstimatorOptions&);

/// Optional fast path for the Monte Carlo DoE (millions of calls): the KCRV alone, the same
/// number as estimate().value up to rounding, NaN when it cannot be computed; no heap
/// allocation beyond `workspace`, which the caller reuses across calls.
using PointFunction = double (*)(const LabSample&, const EstimatorOptions&,
                                 std::vector<double>& workspace);

/// An estimate that carries state: an estimator defined at run time (a Python plugin,
/// estimators/registry.h RegisterEstimator). Called from Monte Carlo worker threads.
using DynamicEstimateFunction =
    std::function<EstimatorResult(const LabSample&, const EstimatorOptions&)>;

struct Estimator {
  EstimatorInfo info;
  EstimateFunction estimate;
  PointFunction point = nullptr;
  DynamicEstimateFunction dynamic = {};  ///< used instead of `estimate` when set

  /// The estimate: `dynamic` when set, else `estimate`.
  EstimatorResult Estimate(const LabSample& sample, const EstimatorOptions& options) const {
    return dynamic ? dynamic(sample, options) : estimate(sample, options);
  }
};

}  // namespace keycomp
