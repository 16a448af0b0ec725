// Times the exact largest-consistent-subset search (estimators/largest_consistent_subset.h)
// on random comparisons of n labs with outliers and dark uncertainty.
// Usage: largest_consistent_subset_bench [n=60] [repetitions=20]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "estimators/largest_consistent_subset.h"

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? static_cast<std::size_t>(std::atoi(argv[1])) : 60;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 20;
  std::mt19937_64 rng(60);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.2, 2.0);
  std::uniform_real_distribution<double> unit(0, 1);
  double worst = 0, total = 0;
  std::size_t dropped = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    std::vector<double> x(n), u(n);
    for (std::size_t i = 0; i < n; ++i) {
      u[i] = uniform(rng);
      x[i] = u[i] * normal(rng) + 0.8 * normal(rng);
      if (unit(rng) < 0.15) x[i] += 8 * normal(rng);
    }
    const auto start = std::chrono::steady_clock::now();
    const auto lcs = keycomp::FindLargestConsistentSubset(x, u, 0.05);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    worst = std::max(worst, seconds);
    total += seconds;
    dropped += n - lcs.members.size();
  }
  std::printf(
      "largest_consistent_subset n=%zu: %d runs, mean %.3f ms, worst %.3f ms, "
      "mean labs dropped %.1f\n",
      n, repetitions, 1e3 * total / repetitions, 1e3 * worst,
      static_cast<double>(dropped) / repetitions);
  return 0;
}
