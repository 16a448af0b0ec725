// `keycomp mc MODEL`: GUM Supplement 1 Monte Carlo evaluation of a measurement model.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace keycomp {

/// What the mc options hold after parsing.
struct McArguments {
  std::string model;
  std::size_t trials = 1000000;
  bool adaptive = false;
  int digits = 2;
  std::size_t max_trials = 50000000;
  std::uint64_t seed = 20261123;
  unsigned threads = 0;
  std::optional<double> coverage;  ///< overrides the model file's
  std::size_t bins = 100;
  double max_memory_gib = 4;  ///< --max-memory: refuse runs that need more (GiB)
  bool drop_nonfinite = false;
  bool list_builtins = false;
  std::string format;  ///< json or table; empty: from -o's extension or the terminal
  std::string output;
};

/// Declares the mc options (and the example in the help) on `command`.
void DeclareMcOptions(CLI::App& command, McArguments& args);

/// Runs the mc subcommand. Throws InputError on bad input; returns 1 when the evaluation
/// could not be completed (non-finite trials, adaptive procedure not stabilised).
int RunMc(const McArguments& args, std::ostream& out, std::ostream& err, bool stdout_is_terminal);

}  // namespace keycomp
