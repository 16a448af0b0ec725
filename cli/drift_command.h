// `keycomp drift PILOT_CSV --comparison FILE`: fits the drift of the travelling standard to the
// pilot's repeated measurements and writes the drift-corrected comparison (contract input
// JSON, with the correlations the common drift correction induces) for `analyse` and `report`.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

namespace keycomp {

struct DriftArguments {
  std::string pilot;         ///< PILOT_CSV
  std::string comparison;    ///< --comparison FILE (CSV or JSON)
  std::string correlations;  ///< --correlations FILE: correlations of the reported results
  std::string model = "linear";
  std::vector<std::string> breakpoints;  ///< dates or numbers, as the pilot's times
  std::string t_ref;                     ///< empty: the pilot's first measurement
  bool separate_drift = false;
  bool scale_by_birge = false;
  bool allow_extrapolation = false;
  std::string format;  ///< json or table; empty: table on a terminal, JSON otherwise or with -o
  std::string output;  ///< -o FILE
};

/// Declares the `drift` subcommand with its options on `app` and returns it.
CLI::App* AddDriftCommand(CLI::App& app, DriftArguments& args);

/// Runs the drift subcommand. Throws InputError on bad input (exit 2); returns 1, writing
/// nothing, when the fit does not converge.
int RunDrift(const DriftArguments& args, std::ostream& out, std::ostream& err,
             bool stdout_is_terminal);

}  // namespace keycomp
