#include "cli/drift_command.h"

#include <fmt/format.h>

#include <ostream>

#include "cli/option_checks.h"
#include "core/drift.h"
#include "core/input_error.h"
#include "core/read_comparison.h"
#include "reports/atomic_file.h"
#include "reports/drift_output.h"
#include "reports/json_writer.h"

namespace keycomp {
namespace {

/// A time option: a date or a number, the same kind as the pilot's times.
double TimeOption(const std::string& text, const std::string& option, const PilotData& pilot) {
  const std::string empty;
  const TimeValue t = ParseTime(text, {empty, 0, option});
  if (t.is_date != pilot.dates) {
    throw InputError("", 0, option,
                     fmt::format("'{}' is {} but the pilot's times in {} are {}", text,
                                 t.is_date ? "a date" : "a number", pilot.source,
                                 pilot.dates ? "dates (yyyy-mm-dd)" : "numbers"));
  }
  return t.t;
}

}  // namespace

CLI::App* AddDriftCommand(CLI::App& app, DriftArguments& args) {
  CLI::App* drift = app.add_subcommand(
      "drift",
      "fit the travelling standard's drift to the pilot's measurements and correct "
      "the participants' results (with the correlations it induces)");
  drift
      ->add_option("PILOT_CSV", args.pilot,
                   "the pilot's measurements of the standard(s): t (or date),value,u[,standard]")
      ->required();
  drift
      ->add_option("--comparison", args.comparison,
                   "the comparison (CSV or JSON) whose results carry a column t (or date): "
                   "when each lab measured the standard")
      ->required();
  drift->add_option("--correlations", args.correlations,
                    "CSV lab_a,lab_b,r of correlations between the reported results");
  drift->add_option("--model", args.model, "linear (default) or piecewise (continuous)")
      ->check(CLI::IsMember({"linear", "piecewise"}));
  drift
      ->add_option("--breakpoints", args.breakpoints,
                   "piecewise model: the times where the slope may change (comma-separated, "
                   "increasing)")
      ->delimiter(',');
  drift->add_option("--t-ref", args.t_ref,
                    "time the corrected values refer to (default: the pilot's first measurement)");
  drift->add_flag("--separate-drift", args.separate_drift,
                  "each standard drifts on its own (default: one drift shared by all standards)");
  drift->add_flag("--scale-by-birge", args.scale_by_birge,
                  "multiply the drift parameters' covariance by R_B^2 when the Birge ratio of the "
                  "fit exceeds 1");
  drift->add_flag("--allow-extrapolation", args.allow_extrapolation,
                  "accept labs' times (and --t-ref) outside the pilot's measurements");
  drift->add_option("--format", args.format, "json (the corrected comparison) or table")
      ->check(CLI::IsMember({"json", "table"}));
  drift
      ->add_option("-o,--output", args.output,
                   "write the output to FILE (atomically; - for standard output)")
      ->transform(OutputFile());
  drift->footer(
      "Examples:\n"
      "  keycomp drift datasets/drift_example/pilot.csv \\\n"
      "      --comparison datasets/drift_example/comparison.csv -o corrected.json\n"
      "  keycomp analyse corrected.json -e weighted_mean\n"
      "  keycomp drift pilot.csv --comparison results.csv --model piecewise \\\n"
      "      --breakpoints 2023-06-01 --t-ref 2023-01-10 --scale-by-birge --format table\n"
      "The JSON output is a comparison in the input format (corrected values, u including the\n"
      "drift's uncertainty, correlations) plus the fit under \"drift\". See docs/drift.md.\n"
      "Exit codes: 0 success, 1 the fit did not converge (nothing written), 2 bad input.");
  return drift;
}

int RunDrift(const DriftArguments& args, std::ostream& out, std::ostream& err,
             bool stdout_is_terminal) {
  const PilotData pilot = ReadPilotCsv(args.pilot);
  Comparison comparison = ReadComparisonFile(args.comparison);
  if (!args.correlations.empty()) {
    comparison = comparison.WithCorrelations(ReadCorrelationsCsv(args.correlations));
  }
  DriftOptions options;
  options.model = DriftModelKindFromString(args.model).value();
  for (const std::string& b : args.breakpoints) {
    options.breakpoints.push_back(TimeOption(b, "--breakpoints", pilot));
  }
  if (!args.t_ref.empty()) options.t_ref = TimeOption(args.t_ref, "--t-ref", pilot);
  options.separate_drift = args.separate_drift;
  options.scale_by_birge = args.scale_by_birge;
  options.allow_extrapolation = args.allow_extrapolation;

  const DriftFit fit = FitDrift(pilot, options);
  if (fit.status != Status::kOk) {
    err << fmt::format("keycomp: {}: {}: {}\n", args.pilot, ToString(fit.status), fit.message);
    return 1;
  }
  const DriftCorrectedComparison corrected = ApplyDrift(comparison, fit, pilot, options);

  std::string format = args.format;
  if (format.empty()) format = (!args.output.empty() || !stdout_is_terminal) ? "json" : "table";
  const std::string text = format == "json" ? DumpJson(DriftToJson(corrected, fit, pilot)) + "\n"
                                            : DriftToTable(corrected, fit, pilot);
  if (args.output.empty()) {
    out << text;
  } else {
    WriteFileAtomically(args.output, text);
  }
  return 0;
}

}  // namespace keycomp
