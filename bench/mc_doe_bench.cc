// Monte Carlo DoE throughput: parametric bootstrap replicates per second for every estimator
// on 20 labs, against the cost of the random draws alone (a trivial estimator).
//   build/bench/mc_doe_bench [trials=1000000] [threads=0]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>

#include "core/mc_doe.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

keycomp::EstimatorResult FirstValue(const keycomp::LabSample& s, const keycomp::EstimatorOptions&) {
  keycomp::EstimatorResult r;
  r.value = s.x[0];
  r.u = s.u[0];
  r.status = keycomp::Status::kOk;
  return r;
}
double FirstValuePoint(const keycomp::LabSample& s, const keycomp::EstimatorOptions&,
                       std::vector<double>&) {
  return s.x[0];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t trials = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 0;
  // 20 labs, heterogeneous (tau about 2 u), fixed seed.
  std::mt19937_64 rng(20);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.5, 2);
  std::string csv = "lab,value,u\n";
  for (int i = 0; i < 20; ++i) {
    const double u = uniform(rng);
    csv += fmt::format("L{:02},{:.17g},{:.17g}\n", i, 100 + 2 * normal(rng) + u * normal(rng), u);
  }
  const auto comparison = keycomp::ParseComparisonCsv(csv, "bench.csv");

  fmt::print("Monte Carlo DoE, 20 labs, {} trials, threads = {}\n", trials,
             threads == 0 ? std::string("all") : std::to_string(threads));
  fmt::print("{:<28} {:>12} {:>14} {:>12} {:>10}\n", "estimator", "trials (s)", "replicates/s",
             "summary (s)", "fast path");
  const keycomp::Estimator floor{{"(draws only)", "", "", 1, false, ""}, &FirstValue,
                                 &FirstValuePoint};
  std::vector<const keycomp::Estimator*> all = {&floor};
  for (const auto& e : keycomp::BuiltinEstimators()) all.push_back(&e);
  for (const keycomp::Estimator* e : all) {
    keycomp::EstimatorOptions options;
    const auto point = keycomp::RunEstimator(*e, comparison, options);
    if (!point.kcrv_draws.empty()) continue;  // posterior draws: see bench/bayes_bench
    keycomp::McDoeOptions mc;
    // Slow estimators (internal optimisation or sampling) get fewer trials.
    mc.trials = e->point != nullptr ? trials : std::max<std::size_t>(trials / 50, 1000);
    mc.threads = threads;
    try {
      const auto r = keycomp::RunMonteCarloDoe(*e, comparison, options, point, mc);
      fmt::print("{:<28} {:>12.3f} {:>14.3g} {:>12.3f} {:>10}   ({} trials)\n", e->info.name,
                 r.seconds_trials, static_cast<double>(mc.trials) / r.seconds_trials,
                 r.seconds_summary, e->point ? "yes" : "no", mc.trials);
    } catch (const std::exception& ex) {
      fmt::print("{:<28} failed: {}\n", e->info.name, ex.what());
    }
  }
  return 0;
}
