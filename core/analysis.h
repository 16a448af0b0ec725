// The `analyse` pipeline: consistency check, each requested estimator, its degrees of
// equivalence. Reports and the command line format an Analysis; they never recompute.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/consistency.h"
#include "core/doe.h"
#include "core/estimator.h"
#include "core/mc_doe.h"

namespace keycomp {

/// A reference value given on the command line (`--kcrv VALUE --kcrv-u U`), typically the one a
/// final report published: the DoE are formed against it; the estimators still run.
struct GivenKcrv {
  double value = 0;
  double u = 0;
  /// cov(x_i, KCRV) = sum_j a_j V_ij with a the estimator's linear weights (default), the
  /// inverse-variance weights scaled to the given u (cov = u^2 for an included lab, as `link`
  /// assumes of a published KCRV), or none.
  enum class Covariance { kEstimator, kWeightedMean, kNone };
  Covariance covariance = Covariance::kEstimator;
};

struct AnalysisOptions {
  std::vector<const Estimator*> estimators;  ///< in the order to report them
  EstimatorOptions estimator;
  DoeOptions doe;
  /// Monte Carlo uncertainties: mc.trials == 0 means analytic only. mc.doe is ignored (doe
  /// above applies).
  McDoeOptions mc;
  /// Which results the reported chi-squared check runs over (`--chi2-over`).
  ChiSquaredOver chi2_over = ChiSquaredOver::kIncluded;
  std::optional<GivenKcrv> given_kcrv;
};

/// The KCRV as every output reports it. A parametric bootstrap (--mc) replaces the analytic
/// u and interval (the probabilistically symmetric interval of the draws); an estimator that
/// brings its own draws (posterior, pool) keeps its own u and interval, its draws giving the DoE.
struct ReportedKcrv {
  double value = 0;
  double u = 0;
  double low = 0;
  double high = 0;
  std::string interval_method;  ///< the estimator's, or "monte_carlo_symmetric"
  bool bootstrapped = false;    ///< whether u and the interval come from a bootstrap
};
struct EstimatorAnalysis {
  const Estimator* estimator = nullptr;
  EstimatorResult result;
  DoeResult doe;
  /// "analytic", "monte_carlo" (parametric bootstrap, --mc) or "posterior_draws" (an
  /// estimator that brings its own draws).
  std::string uncertainty_method = "analytic";
  std::optional<McDoeResult> mc;  ///< the Monte Carlo evaluation, when one ran
  /// With `--kcrv`: the estimator's own numbers (result.value, u and the interval then hold
  /// the given KCRV, against which the DoE are formed).
  std::optional<ReportedKcrv> estimated;
  /// With `--chi2-over all`: the check of every result about this estimator's reported KCRV.
  std::optional<Consistency> consistency_all;
};

ReportedKcrv ReportKcrv(const EstimatorAnalysis& entry);

struct Analysis {
  /// The chi-squared check of the included results about their weighted mean (always run).
  Consistency consistency;
  /// With `--chi2-over all`: every result about the first estimator's reported KCRV (or the
  /// given one), N - 1 dof; the reported check, `consistency` then standing beside it.
  std::optional<Consistency> consistency_all;
  std::vector<EstimatorAnalysis> results;
  std::vector<std::string> warnings;  ///< e.g. estimators skipped by --all
  /// True when every estimator finished with status ok.
  bool AllConverged() const;
};

/// Runs every estimator of `options` on the comparison. Throws InputError for bad options or
/// too few labs; an estimator that does not converge is kept with its status.
Analysis Analyse(const Comparison& comparison, const AnalysisOptions& options);

}  // namespace keycomp
