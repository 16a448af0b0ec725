// Time per call of every registered estimator (the registry is iterated, so estimators added
// later are included) on 10, 100, 1000 and 10^4 labs of random heterogeneous data (fixed seed),
// through RunEstimator as the CLI calls it, analytic mode, default settings.
//
//   estimators_bench [--budget SECONDS] [--max-labs N] [--only NAME[,NAME...]]
//
// Each cell repeats the call until about `budget` seconds (default 0.3) have been spent, in
// three batches, and prints the fastest batch's mean time per call (the least disturbed by
// other work on the machine). A cell whose single call exceeds 20 x budget ends the row: the
// larger sizes are printed as "-" (too slow to repeat here).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/input_error.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

using Clock = std::chrono::steady_clock;

keycomp::Comparison RandomComparison(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> log_u(std::log(0.5), std::log(5.0));
  std::vector<keycomp::LabResult> labs(n);
  for (std::size_t i = 0; i < n; ++i) {
    labs[i].lab = fmt::format("L{:05}", i);
    labs[i].u = std::exp(log_u(rng));
    labs[i].value = 100 + 1.5 * normal(rng) + labs[i].u * normal(rng);  // tau = 1.5
    labs[i].dof = 10 + static_cast<double>(i % 20);
  }
  return keycomp::Comparison::Create("bench", {}, std::move(labs));
}

std::string FormatSeconds(double s) {
  if (s < 1e-6) return fmt::format("{:.0f} ns", s * 1e9);
  if (s < 1e-3) return fmt::format("{:.1f} us", s * 1e6);
  if (s < 1) return fmt::format("{:.2f} ms", s * 1e3);
  return fmt::format("{:.2f} s", s);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  double budget = 0.3;
  std::size_t max_labs = 10000;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--budget" && i + 1 < argc) {
      budget = std::atof(argv[++i]);
    } else if (arg == "--max-labs" && i + 1 < argc) {
      max_labs = static_cast<std::size_t>(std::atol(argv[++i]));
    } else if (arg == "--only" && i + 1 < argc) {
      std::stringstream list(argv[++i]);
      for (std::string name; std::getline(list, name, ',');) only.push_back(name);
    } else {
      std::cerr << "usage: estimators_bench [--budget SECONDS] [--max-labs N] [--only NAMES]\n";
      return 2;
    }
  }

  std::vector<std::size_t> sizes;
  for (std::size_t n = 10; n <= max_labs; n *= 10) sizes.push_back(n);
  std::vector<keycomp::Comparison> comparisons;
  for (std::size_t n : sizes) comparisons.push_back(RandomComparison(n, 20240611 + n));

  std::cout << fmt::format("{:<28}", "estimator");
  for (std::size_t n : sizes) std::cout << fmt::format("{:>14}", fmt::format("n={}", n));
  std::cout << "\n";

  for (const keycomp::Estimator& estimator : keycomp::BuiltinEstimators()) {
    if (!only.empty() && std::find(only.begin(), only.end(), estimator.info.name) == only.end()) {
      continue;
    }
    std::cout << fmt::format("{:<28}", estimator.info.name) << std::flush;
    keycomp::EstimatorOptions options;
    bool too_slow = false;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      std::string cell;
      if (too_slow) {
        cell = "-";
      } else if (sizes[k] < estimator.info.min_labs) {
        cell = "n/a";
      } else {
        try {
          auto start = Clock::now();
          keycomp::EstimatorResult r = keycomp::RunEstimator(estimator, comparisons[k], options);
          const double first = Seconds(Clock::now() - start);
          if (r.status != keycomp::Status::kOk) {
            cell = std::string(keycomp::ToString(r.status));
          } else if (first > 20 * budget) {
            cell = FormatSeconds(first) + "*";
            too_slow = true;
          } else {
            const auto reps =
                static_cast<std::size_t>(std::clamp(budget / 3 / std::max(first, 1e-9), 1.0, 1e6));
            double best = first;
            for (int batch = 0; batch < 3; ++batch) {
              start = Clock::now();
              for (std::size_t rep = 0; rep < reps; ++rep) {
                r = keycomp::RunEstimator(estimator, comparisons[k], options);
              }
              best = std::min(best, Seconds(Clock::now() - start) / static_cast<double>(reps));
            }
            cell = FormatSeconds(best);
          }
        } catch (const std::exception& e) {
          cell = "error";
          std::cerr << estimator.info.name << " n=" << sizes[k] << ": " << e.what() << "\n";
        }
      }
      std::cout << fmt::format("{:>14}", cell) << std::flush;
    }
    std::cout << "\n";
  }
  std::cout << "(* a single call, not repeated; - not run after it)\n";
  return 0;
}
