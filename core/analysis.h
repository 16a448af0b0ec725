// The `analyse` pipeline: consistency check, each requested estimator, its degrees of
// equivalence. Reports and the command line format an Analysis; they never recompute.
#pragma once

#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/consistency.h"
#include "core/doe.h"
#include "core/estimator.h"
#include "core/mc_doe.h"

namespace keycomp {

struct AnalysisOptions {
  std::vector<const Estimator*> estimators;  ///< in the order to report them
  EstimatorOptions estimator;
  DoeOptions doe;
  /// Monte Carlo uncertainties: mc.trials == 0 means analytic only. mc.doe is ignored (doe
  /// above applies).
  McDoeOptions mc;
};

struct EstimatorAnalysis {
  const Estimator* estimator = nullptr;
  EstimatorResult result;
  DoeResult doe;
  /// "analytic", "monte_carlo" (parametric bootstrap, --mc) or "posterior_draws" (an
  /// estimator that brings its own draws).
  std::string uncertainty_method = "analytic";
  std::optional<McDoeResult> mc;  ///< the Monte Carlo evaluation, when one ran
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
ReportedKcrv ReportKcrv(const EstimatorAnalysis& entry);

struct Analysis {
  Consistency consistency;
  std::vector<EstimatorAnalysis> results;
  std::vector<std::string> warnings;  ///< e.g. estimators skipped by --all
  /// True when every estimator finished with status ok.
  bool AllConverged() const;
};

/// Runs every estimator of `options` on the comparison. Throws InputError for bad options or
/// too few labs; an estimator that does not converge is kept with its status.
Analysis Analyse(const Comparison& comparison, const AnalysisOptions& options);

}  // namespace keycomp
