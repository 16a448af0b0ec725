// Timing of the Bayesian and pooling estimators on a synthetic 20-lab comparison.
//
//   build-*/bench/bayes_bench [threads]
//
// Targets (issue 7): the Gaussian posterior for 20 labs in at most 50 ms; 1e5 posterior draws
// for 20 labs in at most 1 s for the sampled models. Prints the median of several runs.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/estimator.h"
#include "estimators/bma.h"
#include "estimators/hierarchical_gauss.h"
#include "estimators/hierarchical_laplace.h"
#include "estimators/hierarchical_student.h"
#include "estimators/linear_pool.h"

namespace {

// Median wall-clock time in ms; `cpu` receives the median process CPU time (all threads),
// which is what the machine's load does not inflate.
double MedianMilliseconds(int repeats, const std::function<void()>& body, double* cpu = nullptr) {
  std::vector<double> times, cpus;
  for (int k = 0; k < repeats; ++k) {
    const std::clock_t c0 = std::clock();
    const auto start = std::chrono::steady_clock::now();
    body();
    const auto stop = std::chrono::steady_clock::now();
    cpus.push_back(1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
    times.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(times.begin(), times.end());
  std::sort(cpus.begin(), cpus.end());
  if (cpu) *cpu = cpus[cpus.size() / 2];
  return times[times.size() / 2];
}

const char* StatusText(keycomp::Status s) {
  return s == keycomp::Status::kOk ? "ok" : s == keycomp::Status::kNotConverged ? "NOT CONVERGED" : "failed";
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 0;
  // 20 labs, heterogeneous (tau ~ 1), centred and scaled as RunEstimator would hand them.
  const std::size_t n = 20;
  std::vector<double> x(n), u(n), dof_inf(n, std::numeric_limits<double>::infinity()), dof(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i);
    u[i] = 0.6 + 0.8 * std::fabs(std::sin(1.7 * t));
    x[i] = std::sin(2.3 * t + 0.4) * 1.2 + 0.5 * std::cos(5.1 * t) * u[i];
    dof[i] = 4 + static_cast<double>(i % 7) * 6;
  }
  const keycomp::LabSample known{x, u, dof_inf};
  const keycomp::LabSample finite{x, u, dof};

  std::printf("bayes_bench: 20 labs, threads=%u (0 = all cores)\n", threads);
  keycomp::EstimatorOptions o;
  o.threads = threads;

  std::printf("%-58s %12s %12s\n", "", "wall", "CPU");
  o.settings = {{"draws", "100"}};
  keycomp::EstimatorResult r;
  double cpu = 0;
  double ms = MedianMilliseconds(21, [&] { r = keycomp::EstimateHierarchicalGauss(known, o); }, &cpu);
  std::printf("%-58s %9.2f ms %9.2f ms  (%s)\n", "hierarchical_gauss quadrature, posterior summary", ms,
              cpu, StatusText(r.status));
  o.settings = {{"draws", "100000"}};
  ms = MedianMilliseconds(11, [&] { r = keycomp::EstimateHierarchicalGauss(known, o); }, &cpu);
  std::printf("%-58s %9.2f ms %9.2f ms  (%s)\n", "hierarchical_gauss quadrature + 1e5 exact draws", ms,
              cpu, StatusText(r.status));

  auto sampled = [&](const char* label, keycomp::EstimateFunction f, const keycomp::LabSample& s,
                     std::map<std::string, std::string> settings) {
    settings["draws"] = "100000";
    o.settings = settings;
    keycomp::EstimatorResult res;
    double c = 0;
    const double t = MedianMilliseconds(3, [&] { res = f(s, o); }, &c);
    double rhat = 0, ess = 0;
    for (const auto& e : res.extra) {
      if (e.name == "rhat") rhat = e.value;
      if (e.name == "ess") ess = e.value;
    }
    std::printf("%-58s %9.2f ms %9.2f ms  (%s, R-hat %.4f, ESS %.0f)\n", label, t, c,
                StatusText(res.status), rhat, ess);
  };
  sampled("hierarchical_gauss Gibbs, sigma modelled, 1e5 draws", &keycomp::EstimateHierarchicalGauss,
          finite, {});
  sampled("hierarchical_laplace Gibbs, u known, 1e5 draws", &keycomp::EstimateHierarchicalLaplace,
          known, {});
  sampled("hierarchical_laplace Gibbs, sigma modelled, 1e5 draws",
          &keycomp::EstimateHierarchicalLaplace, finite, {});
  sampled("hierarchical_student Gibbs, u known, 1e5 draws", &keycomp::EstimateHierarchicalStudent,
          known, {});
  sampled("hierarchical_student Gibbs, sigma modelled, 1e5 draws",
          &keycomp::EstimateHierarchicalStudent, finite, {});

  o.settings = {{"draws", "100000"}};
  ms = MedianMilliseconds(11, [&] { r = keycomp::EstimateLinearPool(finite, o); }, &cpu);
  std::printf("%-58s %9.2f ms %9.2f ms  (%s)\n", "linear_pool (Student components) + 1e5 draws", ms, cpu,
              StatusText(r.status));
  o.settings = {{"draws", "100000"}, {"unbiased", "11"}};
  ms = MedianMilliseconds(3, [&] { r = keycomp::EstimateBma(known, o); }, &cpu);
  std::printf("%-58s %9.2f ms %9.2f ms  (%s)\n", "bma, K = 11 of 20 (167960 models) + 1e5 draws", ms, cpu,
              StatusText(r.status));
  return 0;
}
