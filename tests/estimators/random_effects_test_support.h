// Small helpers for the tests of the random-effects and Birge estimators: comparisons built
// from numbers, running an estimator through the library, running the keycomp binary.
#pragma once

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace re_test {

/// A comparison with labs L01, L02, ... (all included unless `included` says otherwise).
inline keycomp::Comparison MakeComparison(const std::vector<double>& x,
                                          const std::vector<double>& u,
                                          const std::vector<int>& included = {}) {
  std::string text = "lab,value,u,include\n";
  for (std::size_t i = 0; i < x.size(); ++i) {
    const int in = included.empty() ? 1 : included[i];
    text += fmt::format("L{:02},{:.17g},{:.17g},{}\n", i + 1, x[i], u[i], in);
  }
  return keycomp::ParseComparisonCsv(text, "test.csv");
}

/// Runs a registered estimator with estimator-specific settings (KEY=VALUE without the
/// estimator's prefix, as RunEstimator hands them on).
inline keycomp::EstimatorResult Run(const std::string& name, const keycomp::Comparison& c,
                                    const std::map<std::string, std::string>& settings = {},
                                    double coverage = 0.95) {
  const keycomp::Estimator* e = keycomp::FindEstimator(name);
  if (e == nullptr) throw std::runtime_error("no estimator " + name);
  keycomp::EstimatorOptions options;
  options.settings = settings;
  options.coverage = coverage;
  return keycomp::RunEstimator(*e, c, options);
}

/// The named extra value of a result, NaN when absent.
inline double Extra(const keycomp::EstimatorResult& r, const std::string& name) {
  for (const auto& e : r.extra) {
    if (e.name == name) return e.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Writes `csv` to a temporary file and runs `keycomp analyse FILE ARGS`.
inline CliResult RunAnalyse(const std::string& csv, const std::string& args,
                            const std::string& tag) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() /
                       fmt::format("keycomp_re_{}_{}", tag, static_cast<long>(::getpid()));
  fs::create_directories(dir);
  const fs::path input = dir / "input.csv";
  std::ofstream(input) << csv;
  const std::string command =
      fmt::format("'{}' analyse '{}' {} > '{}' 2> '{}'", KEYCOMP_BINARY, input.string(), args,
                  (dir / "out").string(), (dir / "err").string());
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(dir / "out");
  r.err = Slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

}  // namespace re_test
