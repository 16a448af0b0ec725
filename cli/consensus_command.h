// `keycomp consensus FILE`: the CCM consensus value of the kilogram from a history of
// CCM.M-K8 KCRVs (core/kg_consensus.h).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

namespace keycomp {

/// What the consensus options hold after parsing.
struct ConsensusArguments {
  std::string input;
  std::size_t window = 3;
  double limit = 5;
  bool no_limit = false;
  double rounding_step = 1;
  double u_assigned = 20;
  std::optional<double> previous;
  std::string order = "limit_then_round";
  std::string format;  ///< json or table; empty: from -o's extension or the terminal
  std::string output;
};

/// Adds the `consensus` subcommand to `app` with its options, help and examples.
CLI::App* AddConsensusCommand(CLI::App& app, ConsensusArguments& args);

/// Runs it. Throws InputError on bad input or options (exit 2).
int RunConsensus(const ConsensusArguments& args, std::ostream& out, bool stdout_is_terminal);

}  // namespace keycomp
