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
