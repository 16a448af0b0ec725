#include "cli/mc_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <ostream>

#include "core/input_error.h"
#include "core/mc/engine.h"
#include "core/mc/model_file.h"
#include "core/mc/models/builtin_models.h"
#include "reports/atomic_file.h"
#include "reports/json_writer.h"
#include "reports/mc_output.h"

namespace keycomp {
namespace {

/// A progress bar on stderr, shown only when stderr is a terminal and the run has lasted more
/// than a second; redrawn at most ten times a second and erased at the end.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(Clock::now()) {}
  ~ProgressBar() {
    if (shown_) std::cerr << "\r" << std::string(72, ' ') << "\r" << std::flush;
  }

  void Update(std::size_t done, std::size_t planned) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100)) {
      return;
    }
    last_ = now;
    shown_ = true;
    if (planned > 0) {
      const double fraction = static_cast<double>(done) / static_cast<double>(planned);
      const int filled = static_cast<int>(40 * fraction);
      std::cerr << fmt::format("\r[{:<40}] {:3.0f} %  {} trials", std::string(filled, '#'),
                               100 * fraction, done)
                << std::flush;
    } else {
      std::cerr << fmt::format("\radaptive Monte Carlo: {} trials", done) << std::flush;
    }
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_;
  Clock::time_point last_{};
};

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
  auto* trials = command.add_option("--trials", args.trials,
                                    "number of Monte Carlo trials (default 1000000)");
  auto* adaptive = command.add_flag(
      "--adaptive", args.adaptive,
      "JCGM 101 7.9 adaptive procedure: batches until the results are stable to --digits");
  trials->excludes(adaptive);
  command.add_option("--digits", args.digits,
                     "significant digits of u(y) for the adaptive stop and the GUM check "
                     "(default 2)");
  command.add_option("--max-trials", args.max_trials,
                     "adaptive procedure: give up beyond this many trials (default 5e7)");
  command.add_option("--seed", args.seed, "seed of the random number generator");
  command.add_option("--threads", args.threads, "worker threads (0: all cores)");
  command.add_option("--coverage", args.coverage,
                     "coverage probability (default: the model file's, else 0.95)");
  command.add_option("--bins", args.bins, "histogram bins in the JSON output (default 100)");
  command.add_flag("--drop-nonfinite", args.drop_nonfinite,
                   "summarise the finite values when some trials give NaN or infinity "
                   "(their count is reported)");
  command.add_flag("--list-builtins", args.list_builtins,
                   "list the built-in models (for \"builtin\": NAME) and exit");
  command.add_option("--format", args.format, "json or table")
      ->check(CLI::IsMember({"json", "table"}));
  command.add_option("-o,--output", args.output, "write the output to FILE (atomically)");
  command.footer(
      "Examples:\n"
      "  keycomp mc datasets/jcgm101_mass_calibration/model.json\n"
      "  keycomp mc model.json --adaptive --digits 2 --format json -o result.json\n"
      "  keycomp mc datasets/dpcr_example/lab_A.json --trials 1000000 --seed 7 --threads 2\n"
      "  keycomp mc --list-builtins\n"
      "Exit codes: 0 success, 1 not summarised (NaN/inf trials, adaptive not stabilised), "
      "2 bad input.");
}

int RunMc(const McArguments& args, std::ostream& out, std::ostream& err,
          bool stdout_is_terminal) {
  if (args.list_builtins) return ListBuiltins(out);
  if (args.model.empty()) throw InputError("", 0, "MODEL", "give a model file (JSON)");
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
  ProgressBar bar(&err == &std::cerr && ::isatty(STDERR_FILENO) == 1);
  options.progress = [&bar](std::size_t done, std::size_t planned) { bar.Update(done, planned); };
  const mc::McResult result = mc::RunMonteCarlo(model, *compiled, options);

  std::string format = args.format;
  if (format.empty()) {
    const bool txt = args.output.size() >= 4 && args.output.substr(args.output.size() - 4) == ".txt";
    format = !args.output.empty() ? (txt ? "table" : "json") : (stdout_is_terminal ? "table" : "json");
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
