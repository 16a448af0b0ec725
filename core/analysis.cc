#include "core/analysis.h"

#include <fmt/format.h>

#include "core/input_error.h"
#include "core/run_estimator.h"

namespace keycomp {

bool Analysis::AllConverged() const {
  for (const auto& r : results) {
    if (r.result.status != Status::kOk) return false;
  }
  return true;
}

ReportedKcrv ReportKcrv(const EstimatorAnalysis& entry) {
  const EstimatorResult& r = entry.result;
  if (entry.mc && entry.mc->source != "estimator_draws") {
    const McKcrv& k = entry.mc->kcrv;
    return {r.value, k.u, k.intervals.symmetric_low, k.intervals.symmetric_high,
            "monte_carlo_symmetric", true};
  }
  return {r.value, r.u, r.interval_low, r.interval_high, r.interval_method, false};
}

Analysis Analyse(const Comparison& comparison, const AnalysisOptions& options) {
  Analysis analysis;
  analysis.consistency = CheckConsistency(comparison);
  DoeOptions doe_options = options.doe;
  doe_options.coverage = options.estimator.coverage;
  // Settings are addressed to one estimator: NAME.KEY=VALUE.
  for (const auto& [key, value] : options.estimator.settings) {
    const auto dot = key.find('.');
    bool selected = false;
    for (const Estimator* e : options.estimators) {
      selected |= dot != std::string::npos && key.substr(0, dot) == e->info.name;
    }
    if (!selected) {
      throw InputError("", 0, "--set " + key,
                       "a setting is written ESTIMATOR.NAME=VALUE for one of the estimators run");
    }
  }
  for (const Estimator* estimator : options.estimators) {
    EstimatorAnalysis entry;
    entry.estimator = estimator;
    EstimatorOptions own = options.estimator;
    own.settings.clear();
    const std::string prefix = std::string(estimator->info.name) + ".";
    for (const auto& [key, value] : options.estimator.settings) {
      if (key.rfind(prefix, 0) == 0) own.settings[key.substr(prefix.size())] = value;
    }
    entry.result = RunEstimator(*estimator, comparison, own);
    if (entry.result.status == Status::kOk) {
      const bool draws = !entry.result.kcrv_draws.empty();
      if (options.mc.trials > 0 || draws) {
        McDoeOptions mc = options.mc;
        mc.doe = doe_options;
        if (mc.trials == 0) mc.trials = entry.result.kcrv_draws.size();
        entry.mc = RunMonteCarloDoe(*estimator, comparison, own, entry.result, mc);
        entry.doe = entry.mc->doe;
        entry.uncertainty_method = draws ? "posterior_draws" : "monte_carlo";
      } else if (doe_options.convention == DoeConvention::kLeaveOneOut) {
        entry.doe = ComputeLeaveOneOutDoe(comparison, *estimator, own, entry.result, doe_options);
      } else {
        entry.doe = ComputeAnalyticDoe(comparison, estimator->info, entry.result, doe_options);
      }
    }
    analysis.results.push_back(std::move(entry));
  }
  return analysis;
}

}  // namespace keycomp
