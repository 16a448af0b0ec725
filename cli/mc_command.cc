#include "cli/mc_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <ostream>

#include "cli/option_checks.h"
#include "cli/progress_bar.h"
#include "core/input_error.h"
#include "core/mc/engine.h"
#include "core/mc/model_file.h"
#include "core/mc/models/builtin_models.h"
#include "reports/atomic_file.h"
#include "reports/json_writer.h"
#include "reports/mc_output.h"

namespace keycomp {
namespace {

int ListBuiltins(std::ostream& out) {
  for (const mc::BuiltinModel& m : mc::BuiltinModels()) {
    out << fmt::format("{}: {}\n  {} = {}  [{}]\n  reference: {}\n", m.name, m.description,
                       m.quantity, m.expression, m.unit, m.reference);
    for (const mc::BuiltinRole& role : m.roles) {
      out << fmt::format("    {:<12} {}{}\n", std::string(role.name) + (role.prefix ? "*" : ""),
                         role.description, role.required ? "" : " (optional)");
    }
  }
  return 0;
}

}  // namespace

void DeclareMcOptions(CLI::App& command, McArguments& args) {
  command.add_option("MODEL", args.model, "model file (JSON)");
  auto* trials =
      command
          .add_option(
              "--trials", args.trials,
              "number of Monte Carlo trials (default 1000000; memory about 16 bytes a trial)")
          ->transform(WholeNumberIn(2, 1e15));
  auto* adaptive = command.add_flag(
      "--adaptive", args.adaptive,
      "JCGM 101 7.9 adaptive procedure: batches until the results are stable to --digits");
  trials->excludes(adaptive);
  command
      .add_option("--digits", args.digits,
                  "significant digits of u(y) for the adaptive stop and the GUM check "
                  "(default 2)")
      ->transform(WholeNumberIn(1, 6));
  command
      .add_option("--max-trials", args.max_trials,
                  "adaptive procedure: give up beyond this many trials (default 5e7)")
      ->transform(WholeNumberIn(2, 1e15));
  command.add_option("--seed", args.seed, "seed of the random number generator")
      ->transform(WholeNumberIn(0, 18446744073709551615.0));
  command.add_option("--threads", args.threads, "worker threads (0: all cores)")
      ->transform(WholeNumberIn(0, 1024));
  command.add_option("--coverage", args.coverage,
                     "coverage probability (default: the model file's, else 0.95)");
  command.add_option("--bins", args.bins, "histogram bins in the JSON output (default 100)")
      ->transform(WholeNumberIn(1, 1e6));
  AddMaxMemoryOption(command, args.max_memory_gib);
  command.add_flag("--drop-nonfinite", args.drop_nonfinite,
                   "summarise the finite values when some trials give NaN or infinity "
                   "(their count is reported)");
  command.add_flag("--list-builtins", args.list_builtins,
                   "list the built-in models (for \"builtin\": NAME) and exit");
  command.add_option("--format", args.format, "json or table")
      ->check(CLI::IsMember({"json", "table"}));
  command
      .add_option("-o,--output", args.output,
                  "write the output to FILE (atomically; - for standard output)")
      ->transform(OutputFile());
  command.footer(
      "Examples:\n"
      "  keycomp mc datasets/jcgm101_mass_calibration/model.json\n"
      "  keycomp mc model.json --adaptive --digits 2 --format json -o result.json\n"
      "  keycomp mc datasets/dpcr_example/lab_A.json --trials 1000000 --seed 7 --threads 2\n"
      "  keycomp mc --list-builtins\n"
      "Exit codes: 0 success, 1 not summarised (NaN/inf trials, adaptive not stabilised), "
      "2 bad input.");
}

int RunMc(const McArguments& args, std::ostream& out, std::ostream& err, bool stdout_is_terminal) {
  if (args.list_builtins) return ListBuiltins(out);
  if (args.model.empty()) throw InputError("", 0, "MODEL", "give a model file (JSON)");
  CheckMemory(McMemoryBytes(static_cast<double>(args.adaptive ? args.max_trials : args.trials)),
              args.max_memory_gib, args.adaptive ? "--max-trials" : "--trials",
              "the Monte Carlo output values");
  const mc::ModelFile file = mc::ReadModelFile(args.model);
  const mc::MeasurementModel& model = file.model;
  const auto compiled = mc::CompileModel(model);

  mc::McOptions options;
  options.trials = args.trials;
  options.adaptive = args.adaptive;
  options.digits = args.digits;
  options.max_trials = args.max_trials;
  options.seed = args.seed;
  options.threads = args.threads;
  options.coverage = args.coverage.value_or(model.coverage);
  options.histogram_bins = args.bins;
  options.drop_nonfinite = args.drop_nonfinite;
  mc::McResult result;
  {
    ProgressBar bar(err, ::isatty(STDERR_FILENO) == 1 && &err == &std::cerr);
    // The adaptive procedure's length is not known in advance: its bar runs to --max-trials.
    if (auto update = bar.Callback(args.adaptive ? "adaptive Monte Carlo" : "Monte Carlo")) {
      const double cap = static_cast<double>(args.max_trials);
      options.progress = [update, cap](std::size_t done, std::size_t planned) {
        update(planned > 0 ? static_cast<double>(done) / static_cast<double>(planned)
                           : std::min(1.0, static_cast<double>(done) / cap));
      };
    }
    result = mc::RunMonteCarlo(model, *compiled, options);
  }

  std::string format = args.format;
  if (format.empty()) {
    const bool txt =
        args.output.size() >= 4 && args.output.substr(args.output.size() - 4) == ".txt";
    format =
        !args.output.empty() ? (txt ? "table" : "json") : (stdout_is_terminal ? "table" : "json");
  }
  const std::string text = format == "json" ? DumpJson(McResultToJson(model, result)) + "\n"
                                            : McResultToTable(model, result);
  if (result.status != Status::kOk) {
    err << fmt::format("keycomp: {}: {}: {}\n", args.model, ToString(result.status),
                       result.message);
    if (args.output.empty()) out << text;
    return 1;
  }
  if (args.output.empty()) {
    out << text;
  } else {
    WriteFileAtomically(args.output, text);
  }
  return 0;
}

}  // namespace keycomp
