// `keycomp analyse INPUT`: reference values, degrees of equivalence, consistency.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/comparison.h"

namespace keycomp {

/// What the analyse options hold after parsing (shared with `report`).
struct AnalyseArguments {
  std::string input;
  std::vector<std::string> estimators;
  bool all = false;
  std::size_t mc_trials = 0;
  std::uint64_t seed = 20261123;
  unsigned threads = 0;
  double coverage = 0.95;
  double max_memory_gib = 4;  ///< --max-memory: refuse Monte Carlo runs that need more (GiB)
  std::string format;         ///< json, table, csv; empty: from -o's extension or the terminal
  std::string output;         ///< -o FILE
  std::vector<std::string> exclude;
  std::string correlations;
  std::vector<std::string> settings;  ///< ESTIMATOR.NAME=VALUE
  std::string doe_convention = "mra";
  std::string dark_uncertainty;  ///< empty: the estimator's default
  std::string bootstrap = "parametric";
  std::string chi2_over = "included";
  std::string doe_uncertainty = "exact";
  std::optional<double> kcrv;    ///< --kcrv VALUE: DoE against a given reference value
  std::optional<double> kcrv_u;  ///< --kcrv-u U: its standard uncertainty
  std::string kcrv_covariance = "estimator";
};

/// Declares the analyse options on `command`. With `file_output` false, --format and -o FILE
/// are left out (`report` declares its own -o DIR).
void DeclareAnalyseOptions(CLI::App& command, AnalyseArguments& args, bool file_output = true);

/// Loads the comparison (with --correlations and --exclude applied).
Comparison LoadComparison(const AnalyseArguments& args);

/// Builds the analysis options (estimators, settings, conventions) from the arguments.
AnalysisOptions BuildAnalysisOptions(const AnalyseArguments& args, const Comparison& comparison,
                                     std::vector<std::string>& notes);

/// Runs the analyse subcommand. Throws InputError on bad input.
int RunAnalyse(const AnalyseArguments& args, std::ostream& out, std::ostream& err,
               bool stdout_is_terminal);

}  // namespace keycomp
