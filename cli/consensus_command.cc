#include "cli/consensus_command.h"

#include <limits>
#include <ostream>

#include "cli/option_checks.h"
#include "core/input_error.h"
#include "core/kg_consensus.h"
#include "core/text_fields.h"
#include "reports/atomic_file.h"
#include "reports/json_writer.h"
#include "reports/kg_consensus_output.h"

namespace keycomp {

CLI::App* AddConsensusCommand(CLI::App& app, ConsensusArguments& args) {
  CLI::App* command = app.add_subcommand(
      "consensus",
      "CCM consensus value of the kilogram: rolling unweighted mean of the latest KCRVs, "
      "change limited, rounded, assigned u");
  command->add_option("FILE", args.input, "CSV of the KCRV history: label,date,value[,u,in_force]")
      ->required();
  command->add_option("--window", args.window, "number of most recent KCRVs averaged (default 3)");
  command->add_option("--limit", args.limit,
                      "largest change from the previous consensus value, in the data's unit "
                      "(default 5)");
  command->add_flag("--no-limit", args.no_limit, "do not limit the change");
  command->add_option("--round", args.rounding_step,
                      "rounding step of the published value (default 1; 0: no rounding)");
  command->add_option("--u-assigned", args.u_assigned,
                      "agreed standard uncertainty of the consensus value (default 20)");
  command->add_option("--previous", args.previous,
                      "consensus value in force before the first revision (default: none, the "
                      "first revision is not limited)");
  command->add_option("--order", args.order, "limit_then_round (default) or round_then_limit")
      ->check(CLI::IsMember(
          {"limit_then_round", "round_then_limit", "limit-then-round", "round-then-limit"}));
  command->add_option("--format", args.format, "json or table")
      ->check(CLI::IsMember({"json", "table"}));
  command
      ->add_option("-o,--output", args.output,
                   "write the output to FILE (atomically; - for standard output)")
      ->transform(OutputFile());
  command->footer(
      "Examples:\n"
      "  keycomp consensus datasets/ccm_kg_consensus_value/kcrv_history.csv\n"
      "  keycomp consensus history.csv --window 3 --limit 5 --round 1 --u-assigned 20 "
      "--format json -o consensus.json\n"
      "Exit codes: 0 success, 2 bad input.");
  return command;
}

int RunConsensus(const ConsensusArguments& args, std::ostream& out, bool stdout_is_terminal) {
  ConsensusOptions options;
  options.window = args.window;
  options.limit = args.no_limit ? std::numeric_limits<double>::infinity() : args.limit;
  options.rounding_step = args.rounding_step;
  options.u_assigned = args.u_assigned;
  options.initial_previous = args.previous;
  options.order = LimitOrderFromString(args.order).value();
  if (std::string why = options.Validate(); !why.empty()) {
    throw InputError("", 0, why.substr(0, why.find(' ')), why);
  }
  const KcrvHistory history = ReadKcrvHistoryFile(args.input);
  const ConsensusResult result = ComputeConsensusValues(history, options);

  std::string format = args.format;
  if (format.empty()) {
    const std::string lower = ToLower(args.output);
    const bool txt = lower.size() >= 4 && lower.substr(lower.size() - 4) == ".txt";
    format =
        !args.output.empty() ? (txt ? "table" : "json") : (stdout_is_terminal ? "table" : "json");
  }
  const std::string text = format == "json" ? DumpJson(ConsensusToJson(history, result)) + "\n"
                                            : ConsensusToTable(history, result);
  if (args.output.empty()) {
    out << text;
  } else {
    WriteFileAtomically(args.output, text);
  }
  return 0;
}

}  // namespace keycomp
