#include "core/analysis.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

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
    return {r.value,
            k.u,
            k.intervals.symmetric_low,
            k.intervals.symmetric_high,
            "monte_carlo_symmetric",
            true};
  }
  return {r.value, r.u, r.interval_low, r.interval_high, r.interval_method, false};
}

namespace {

// The DoE of one estimator by the requested convention. A DoE that cannot be computed (the
// estimator failed in some Monte Carlo trials, or without one lab) marks the estimator failed, with
// the reason, instead of ending the whole analysis: the other estimators' results stand.
void ComputeDoe(const Comparison& comparison, const AnalysisOptions& options,
                const EstimatorOptions& own, const DoeOptions& doe_options,
                EstimatorAnalysis& entry) {
  const Estimator& estimator = *entry.estimator;
  const bool draws = !entry.result.kcrv_draws.empty();
  try {
    if (options.mc.trials > 0 || draws) {
      McDoeOptions mc = options.mc;
      mc.doe = doe_options;
      if (mc.trials == 0) mc.trials = entry.result.kcrv_draws.size();
      entry.mc = RunMonteCarloDoe(estimator, comparison, own, entry.result, mc);
      entry.doe = entry.mc->doe;
      entry.uncertainty_method = draws ? "posterior_draws" : "monte_carlo";
    } else if (doe_options.convention == DoeConvention::kLeaveOneOut) {
      entry.doe = ComputeLeaveOneOutDoe(comparison, estimator, own, entry.result, doe_options);
    } else {
      entry.doe = ComputeAnalyticDoe(comparison, estimator.info, entry.result, doe_options);
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    if (dynamic_cast<const std::runtime_error*>(&e) == nullptr &&
        dynamic_cast<const std::domain_error*>(&e) == nullptr) {
      throw;
    }
    // No uncertainty is reported for an estimator whose DoE could not be computed (a
    // ComputationError, or a numerical library's error on numbers near the limits of double).
    entry.mc.reset();
    entry.result.status = Status::kFailed;
    entry.result.message =
        dynamic_cast<const ComputationError*>(&e) != nullptr
            ? std::string(e.what())
            : fmt::format("numerical failure in the degrees of equivalence: {}", e.what());
    entry.result.u = entry.result.interval_low = entry.result.interval_high =
        std::numeric_limits<double>::quiet_NaN();
    entry.result.u_internal.reset();
    entry.result.u_external.reset();
    return;
  }
  if (doe_options.uncertainty == DoeUncertainty::kIndependent) {
    NeglectCovarianceWithKcrv(comparison, entry.result.tau.value_or(0.0), ReportKcrv(entry).u,
                              doe_options.coverage, entry.doe);
    entry.doe.warnings.clear();  // no covariance term, no negative variance
  }
  for (const std::string& w : entry.doe.warnings) entry.result.warnings.push_back(w);
}

// Refuses the combinations of conventions that have no meaning.
void CheckConventions(const AnalysisOptions& options) {
  const bool loo = options.doe.convention == DoeConvention::kLeaveOneOut;
  if (options.given_kcrv) {
    const GivenKcrv& g = *options.given_kcrv;
    if (!std::isfinite(g.value)) {
      throw InputError("", 0, "--kcrv", "the KCRV must be a finite number");
    }
    if (!std::isfinite(g.u) || !(g.u > 0)) {
      throw InputError("", 0, "--kcrv-u", "the KCRV's standard uncertainty must be finite and > 0");
    }
    if (options.mc.trials > 0) {
      throw InputError("", 0, "--kcrv",
                       "the DoE against a given KCRV are analytic; run --mc without --kcrv");
    }
    if (loo) {
      throw InputError("", 0, "--kcrv",
                       "a given KCRV and the leave-one-out convention exclude each other");
    }
  }
  if (loo && options.doe.uncertainty == DoeUncertainty::kIndependent) {
    throw InputError("", 0, "--doe-uncertainty",
                     "leave-one-out DoE are independent of the KCRV by construction; "
                     "'independent' applies to the MRA convention");
  }
}

// Puts the given KCRV in place of the estimator's (kept in entry.estimated) and sets the
// weights a_j that give its covariance with each lab, cov(x_i, x_ref) = sum_j a_j V_ij:
// the estimator's own (the exact covariance when the given value is the estimator's, rounded),
// inverse-variance weights scaled to the given u (cov = u^2 for an included lab, as `link`
// assumes for a published KCRV), or none.
void ApplyGivenKcrv(const Comparison& comparison, const GivenKcrv& given,
                    const DoeOptions& doe_options, EstimatorAnalysis& entry) {
  entry.estimated = ReportKcrv(entry);  // before the given KCRV replaces it
  EstimatorResult& r = entry.result;    // before the given KCRV replaces it
  const double k = DoeCoverageFactor(doe_options.coverage);
  r.value = given.value;
  r.u = given.u;
  r.u_internal.reset();
  r.u_external.reset();
  r.u_kind = "given";
  r.interval_low = given.value - k * given.u;
  r.interval_high = given.value + k * given.u;
  r.interval_method = "given (--kcrv): value -/+ k u";
  r.kcrv_draws.clear();
  r.tau_draws.clear();
  if (given.covariance == GivenKcrv::Covariance::kNone) {
    r.weights.resize(0);
  } else if (given.covariance == GivenKcrv::Covariance::kWeightedMean) {
    const bool recognised =
        doe_options.dark.value_or(entry.estimator->info.between_lab_term
                                      ? DarkUncertainty::kRecognised
                                      : DarkUncertainty::kIgnored) == DarkUncertainty::kRecognised;
    const double tau2 = recognised ? std::pow(r.tau.value_or(0.0), 2) : 0.0;
    r.weights = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(comparison.size()));
    for (std::size_t i : comparison.included_indices()) {
      const double u = comparison.results()[i].u;
      r.weights(static_cast<Eigen::Index>(i)) = given.u * given.u / (u * u + tau2);
    }
    r.dropped.clear();
  }
}

}  // namespace

Analysis Analyse(const Comparison& comparison, const AnalysisOptions& options) {
  CheckConventions(options);
  Analysis analysis;
  analysis.consistency = CheckConsistency(comparison);
  DoeOptions doe_options = options.doe;
  doe_options.coverage = options.estimator.coverage;
  doe_options.negative_variance_is_error = options.given_kcrv.has_value();
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
    if (entry.result.status == Status::kOk && options.given_kcrv) {
      ApplyGivenKcrv(comparison, *options.given_kcrv, doe_options, entry);
    }
    if (entry.result.status == Status::kOk)
      ComputeDoe(comparison, options, own, doe_options, entry);
    if (entry.result.status == Status::kOk && options.chi2_over == ChiSquaredOver::kAll) {
      entry.consistency_all = CheckConsistencyAbout(comparison, ReportKcrv(entry).value);
    }
    analysis.results.push_back(std::move(entry));
  }
  if (options.chi2_over == ChiSquaredOver::kAll) {
    if (options.given_kcrv) {
      analysis.consistency_all = CheckConsistencyAbout(comparison, options.given_kcrv->value);
    } else if (!analysis.results.empty() && analysis.results.front().consistency_all) {
      analysis.consistency_all = analysis.results.front().consistency_all;
    } else {
      analysis.consistency_all = Consistency{};
      analysis.consistency_all->over = "all";
      analysis.consistency_all->note = "the first estimator gave no KCRV to test the results about";
    }
  }
  return analysis;
}

}  // namespace keycomp
