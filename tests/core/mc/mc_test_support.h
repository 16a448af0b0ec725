// Helpers for the Monte Carlo tests: run a model given as JSON text, and run it in independent
// batches (different seeds) to get a standard error for every statistic from the spread of the
// batch results, the way JCGM 101 7.9.4 does. Tolerances are then multiples of that error.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "core/mc/engine.h"
#include "core/mc/model_file.h"

namespace keycomp::mc::testing {

inline McResult RunModelText(const std::string& json, std::size_t trials, std::uint64_t seed,
                             unsigned threads = 2) {
  const ModelFile file = ParseModelJson(json, "test-model");
  const auto compiled = CompileModel(file.model);
  McOptions options;
  options.trials = trials;
  options.seed = seed;
  options.threads = threads;
  options.coverage = file.model.coverage;
  return RunMonteCarlo(file.model, *compiled, options);
}

/// Mean over batches and its standard error (sd of the batch values / sqrt(batches)).
struct Estimate {
  double value = 0;
  double se = 0;
};

struct BatchedResult {
  Estimate mean, u, symmetric_low, symmetric_high, shortest_low, shortest_high;
  McResult first;  ///< the first batch's full result (GUM, validation...)
};

inline Estimate Combine(const std::vector<double>& x) {
  const double h = static_cast<double>(x.size());
  double m = 0;
  for (double v : x) m += v;
  m /= h;
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return {m, std::sqrt(ss / (h - 1) / h)};
}

/// `batches` runs of `trials` each, seeds seed, seed + 1, ...
inline BatchedResult RunBatches(const std::string& json, std::size_t batches, std::size_t trials,
                                std::uint64_t seed) {
  std::vector<double> mean, u, sl, sh, hl, hh;
  BatchedResult out;
  for (std::size_t b = 0; b < batches; ++b) {
    const McResult r = RunModelText(json, trials, seed + b);
    if (b == 0) out.first = r;
    mean.push_back(r.mean);
    u.push_back(r.u);
    sl.push_back(r.intervals.symmetric_low);
    sh.push_back(r.intervals.symmetric_high);
    hl.push_back(r.intervals.shortest_low);
    hh.push_back(r.intervals.shortest_high);
  }
  out.mean = Combine(mean);
  out.u = Combine(u);
  out.symmetric_low = Combine(sl);
  out.symmetric_high = Combine(sh);
  out.shortest_low = Combine(hl);
  out.shortest_high = Combine(hh);
  return out;
}

}  // namespace keycomp::mc::testing
