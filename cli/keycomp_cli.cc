#include "cli/keycomp_cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/analyse_command.h"
#include "cli/consensus_command.h"
#include "cli/drift_command.h"
#include "cli/link_command.h"
#include "cli/mc_command.h"
#include "cli/report_command.h"
#include "cli/study_command.h"
#include "core/input_error.h"
#include "estimators/registry.h"
#include "keycomp/version.h"

namespace keycomp {
namespace {

int ListEstimators(std::ostream& out) {
  out << fmt::format("{:<26} {:>8} {:>4} {:>9}  {}\n", "name", "min_labs", "tau", "default_u",
                     "description / reference");
  for (const Estimator& e : BuiltinEstimators()) {
    out << fmt::format("{:<26} {:>8} {:>4} {:>9}  {}\n", e.info.name, e.info.min_labs,
                       e.info.between_lab_term ? "yes" : "no", e.info.default_u,
                       e.info.description);
    out << fmt::format("{:<26} {:>8} {:>4} {:>9}  [{}]\n", "", "", "", "", e.info.reference);
  }
  return 0;
}

}  // namespace

int RunKeycomp(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
               bool stdout_is_terminal) {
  CLI::App app(
      "keycomp: analysis of key comparisons (CIPM MRA): reference values, degrees of "
      "equivalence, consistency checks, Monte Carlo uncertainties.",
      "keycomp");
  app.set_version_flag("--version", std::string("keycomp ") + kVersion);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  keycomp estimators\n"
      "  keycomp analyse datasets/ccqm_k30_pb_wine/results.csv --all\n"
      "  keycomp analyse results.csv -e weighted_mean,median --format json -o out.json\n"
      "  keycomp report datasets/ccqm_k25_pcb28/results.csv -e dersimonian_laird -o draft\n"
      "  keycomp mc datasets/jcgm101_mass_calibration/model.json --trials 1000000\n"
      "  keycomp link rmo.csv cipm.csv --linking-labs PTB,NIST\n"
      "  keycomp drift pilot.csv --comparison results.csv -o corrected.json\n"
      "  keycomp consensus datasets/ccm_kg_consensus_value/kcrv_history.csv\n"
      "  keycomp study examples/study-small.json -o study.json\n"
      "Every command's own --help shows more examples. Formats and exit codes: docs/formats.md\n"
      "(installed in share/doc/keycomp).\n"
      "Exit codes: 0 success, 1 a computation that could not be done (reported), 2 bad input.");

  CLI::App* estimators = app.add_subcommand("estimators", "list every estimator");
  estimators->footer("Example:\n  keycomp estimators");

  McArguments mc_args;
  CLI::App* mc =
      app.add_subcommand("mc", "GUM Supplement 1 Monte Carlo evaluation of a measurement model");
  DeclareMcOptions(*mc, mc_args);

  AnalyseArguments analyse_args;
  CLI::App* analyse =
      app.add_subcommand("analyse", "reference values, degrees of equivalence, consistency");
  analyse->alias("analyze");
  DeclareAnalyseOptions(*analyse, analyse_args);
  analyse->footer(
      "Examples:\n"
      "  keycomp analyse datasets/ccqm_k30_pb_wine/results.csv\n"
      "  keycomp analyse results.csv --all --format table\n"
      "  keycomp analyse results.csv -e weighted_mean --set weighted_mean.u=external -o kcrv.json\n"
      "  keycomp analyse results.csv --kcrv 132.77 --kcrv-u 0.14 --chi2-over all\n"
      "  keycomp analyse results.csv --doe-uncertainty independent\n"
      "Exit codes: 0 success, 1 a computation that could not be done (reported), 2 bad input.");

  LinkArguments link_args;
  CLI::App* link = AddLinkCommand(app, link_args);

  ReportArguments report_args;
  CLI::App* report = AddReportCommand(app, report_args);

  DriftArguments drift_args;
  CLI::App* drift = AddDriftCommand(app, drift_args);

  ConsensusArguments consensus_args;
  CLI::App* consensus = AddConsensusCommand(app, consensus_args);

  StudyArguments study_args;
  CLI::App* study = AddStudyCommand(app, study_args);

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      out << app.help();
      return 0;
    } catch (const CLI::CallForAllHelp&) {
      out << app.help("", CLI::AppFormatMode::All);
      return 0;
    } catch (const CLI::CallForVersion&) {
      out << "keycomp " << kVersion << "\n";
      return 0;
    } catch (const CLI::ParseError& e) {
      // Subcommand help arrives as CallForHelp from the subcommand's parse.
      if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
        out << (app.get_subcommands().empty() ? app.help() : app.get_subcommands().front()->help());
        return 0;
      }
      err << "keycomp: " << e.what() << "\n";
      return 2;
    }
    if (estimators->parsed()) return ListEstimators(out);
    if (mc->parsed()) return RunMc(mc_args, out, err, stdout_is_terminal);
    if (analyse->parsed()) return RunAnalyse(analyse_args, out, err, stdout_is_terminal);
    if (report->parsed()) return RunReport(report_args, out, err);
    if (link->parsed()) return RunLink(link_args, out, err, stdout_is_terminal);
    if (drift->parsed()) return RunDrift(drift_args, out, err, stdout_is_terminal);
    if (study->parsed()) return RunStudy(study_args, out, err);
    if (consensus->parsed()) return RunConsensus(consensus_args, out, stdout_is_terminal);
  } catch (const InputError& e) {
    err << "keycomp: " << e.what() << "\n";
    return 2;
  } catch (const ComputationError& e) {
    err << "keycomp: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "keycomp: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace keycomp
