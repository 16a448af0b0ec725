#include "cli/report_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <ostream>
#include <set>

#include "cli/progress_bar.h"
#include "core/correlation_effect.h"
#include "core/input_error.h"
#include "keycomp/version.h"
#include "reports/report/report_builder.h"
#include "reports/report/report_config.h"
#include "reports/report/report_writer.h"
#include "reports/report/sha256.h"

namespace keycomp {
namespace {

bool Given(const ReportArguments& args, const char* option) {
  return args.command != nullptr && args.command->count(option) > 0;
}

// Keeps only the settings addressed to the estimators `options` runs.
void KeepOwnSettings(AnalysisOptions& options) {
  std::erase_if(options.estimator.settings, [&](const auto& setting) {
    const std::string name = setting.first.substr(0, setting.first.find('.'));
    return std::none_of(options.estimators.begin(), options.estimators.end(),
                        [&](const Estimator* e) { return name == e->info.name; });
  });
}

// UTC now, or SOURCE_DATE_EPOCH when set (reproducible builds convention).
std::string IsoDate() {
  std::time_t now = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    const long long value = std::strtoll(epoch, &end, 10);
    if (end != epoch && *end == '\0' && value >= 0) now = static_cast<std::time_t>(value);
  }
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string ShellQuoted(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_./=,:+@%") == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A command that reproduces the report, every effective option spelled out.
std::string CommandLine(const AnalyseArguments& a, const std::string& estimator,
                        const ReportArguments& args) {
  std::vector<std::string> words = {"keycomp", "report", a.input, "-e", estimator};
  words.insert(words.end(), {"--coverage", fmt::format("{:g}", a.coverage)});
  words.insert(words.end(), {"--seed", std::to_string(a.seed)});
  if (a.mc_trials > 0) words.insert(words.end(), {"--mc", std::to_string(a.mc_trials)});
  if (!a.exclude.empty()) {
    std::string labs;
    for (const std::string& lab : a.exclude) labs += (labs.empty() ? "" : ",") + lab;
    words.insert(words.end(), {"--exclude", labs});
  }
  if (!a.correlations.empty()) words.insert(words.end(), {"--correlations", a.correlations});
  for (const std::string& s : a.settings) words.insert(words.end(), {"--set", s});
  if (a.doe_convention != "mra") words.insert(words.end(), {"--doe", a.doe_convention});
  if (!a.dark_uncertainty.empty()) {
    words.insert(words.end(), {"--dark-uncertainty", a.dark_uncertainty});
  }
  if (a.chi2_over != "included") words.insert(words.end(), {"--chi2-over", a.chi2_over});
  if (a.doe_uncertainty != "exact") {
    words.insert(words.end(), {"--doe-uncertainty", a.doe_uncertainty});
  }
  if (a.kcrv && a.kcrv_u) {
    words.insert(words.end(),
                 {"--kcrv", fmt::format("{}", *a.kcrv), "--kcrv-u", fmt::format("{}", *a.kcrv_u)});
    if (a.kcrv_covariance != "estimator") {
      words.insert(words.end(), {"--kcrv-covariance", a.kcrv_covariance});
    }
  }
  if (a.all) words.push_back("--all");
  if (!args.config.empty()) words.insert(words.end(), {"--config", args.config});
  words.insert(words.end(), {"-o", args.output_folder});
  std::string line;
  for (const std::string& w : words) line += (line.empty() ? "" : " ") + ShellQuoted(w);
  return line;
}

// Every lab the configuration's participants list names must be one of the results.
void CheckParticipants(const std::vector<report::Participant>& participants,
                       const Comparison& comparison, const std::string& source) {
  for (std::size_t i = 0; i < participants.size(); ++i) {
    const std::string& lab = participants[i].lab;
    const auto& results = comparison.results();
    const bool known = std::any_of(results.begin(), results.end(),
                                   [&](const LabResult& r) { return r.lab == lab; });
    if (!known) {
      throw InputError(source, 0, fmt::format("participants[{}].lab", i),
                       fmt::format("lab '{}' is not among the comparison's results", lab));
    }
  }
}

}  // namespace

CLI::App* AddReportCommand(CLI::App& app, ReportArguments& args) {
  CLI::App* report = app.add_subcommand(
      "report", "the draft report: HTML, Markdown, LaTeX/PDF, JSON, DoE table and plots");
  DeclareAnalyseOptions(*report, args.analyse, /*file_output=*/false);
  report
      ->add_option("-o,--output", args.output_folder,
                   "folder to write the report into (created; an earlier report there is "
                   "replaced)")
      ->required();
  report->add_option("--config", args.config,
                     "report configuration (JSON: title, estimator, exclusions with reasons, "
                     "coverage, mc_trials, seed...); command-line options override it");
  report->add_flag("--no-pdf", args.no_pdf, "do not run pdflatex on report.tex");
  report->footer(
      "Examples:\n"
      "  keycomp report datasets/ccqm_k25_pcb28/results.csv -e dersimonian_laird -o k25-report\n"
      "  keycomp report results.csv --config report.json -o draft-a\n"
      "Writes report.html, report.md, report.tex, report.pdf (with pdflatex), results.json,\n"
      "results.xml (BIPM key-comparison model, D-SI), report.docx (with pandoc),\n"
      "doe.csv and the plots (SVG, PDF, PNG). See docs/report.md.\n"
      "Exit codes: 0 success, 1 the estimator did not converge (nothing written), 2 bad input.");
  args.command = report;
  return report;
}

int RunReport(const ReportArguments& args, std::ostream& out, std::ostream& err) {
  const report::ReportConfig config =
      args.config.empty() ? report::ReportConfig{} : report::ReadReportConfig(args.config);

  // The configuration fills what the command line left unsaid.
  AnalyseArguments a = args.analyse;
  std::string estimator_source = "by default (keycomp's default estimator)";
  if (Given(args, "--estimator")) {
    estimator_source = "on the command line";
  } else if (config.estimator) {
    a.estimators = {*config.estimator};
    estimator_source = "in the report configuration";
  }
  if (a.estimators.size() > 1) {
    throw InputError("", 0, "--estimator",
                     "a report has one KCRV estimator; the estimator-sensitivity section runs "
                     "the others");
  }
  if (!Given(args, "--coverage") && config.coverage) a.coverage = *config.coverage;
  if (!Given(args, "--mc") && config.mc_trials) a.mc_trials = *config.mc_trials;
  if (!Given(args, "--seed") && config.seed) a.seed = *config.seed;
  if (!Given(args, "--set") && config.settings) {
    a.settings.clear();
    for (const auto& [key, value] : *config.settings) a.settings.push_back(key + "=" + value);
  }
  std::vector<report::Exclusion> exclusions;
  if (Given(args, "--exclude")) {
    for (const std::string& lab : a.exclude) {
      std::string reason = "excluded on the command line (--exclude)";
      if (config.exclusions) {
        for (const auto& e : *config.exclusions) {
          if (e.lab == lab && !e.reason.empty()) reason = e.reason;
        }
      }
      exclusions.push_back({lab, reason});
    }
  } else if (config.exclusions) {
    a.exclude.clear();
    for (const auto& e : *config.exclusions) {
      a.exclude.push_back(e.lab);
      exclusions.push_back(e);
    }
  }
  const Comparison comparison = LoadComparison(a);
  if (config.draft_a.participants) {
    CheckParticipants(*config.draft_a.participants, comparison, config.source);
  }
  std::vector<std::string> notes;

  AnalyseArguments main_args = a;
  main_args.all = false;
  AnalysisOptions main_options = BuildAnalysisOptions(main_args, comparison, notes);
  const Estimator* main_estimator = main_options.estimators.front();

  AnalyseArguments sensitivity_args = a;
  std::vector<std::string> sensitivity_notes;
  if (config.sensitivity_estimators && !a.all) {
    sensitivity_args.estimators = *config.sensitivity_estimators;
    if (std::find(sensitivity_args.estimators.begin(), sensitivity_args.estimators.end(),
                  main_estimator->info.name) == sensitivity_args.estimators.end()) {
      sensitivity_args.estimators.insert(sensitivity_args.estimators.begin(),
                                         main_estimator->info.name);
    }
  } else {
    sensitivity_args.all = true;
    sensitivity_args.estimators.clear();
  }
  AnalysisOptions sensitivity_options =
      BuildAnalysisOptions(sensitivity_args, comparison, sensitivity_notes);

  // A setting must address an estimator the report runs; each run gets its own.
  for (const auto& [key, value] : sensitivity_options.estimator.settings) {
    const std::string name = key.substr(0, key.find('.'));
    const bool known =
        name == main_estimator->info.name ||
        std::any_of(sensitivity_options.estimators.begin(), sensitivity_options.estimators.end(),
                    [&](const Estimator* e) { return name == e->info.name; });
    if (!known || key.find('.') == std::string::npos) {
      throw InputError("", 0, "--set " + key,
                       "a setting is written ESTIMATOR.NAME=VALUE for an estimator the report "
                       "runs");
    }
  }
  KeepOwnSettings(main_options);
  KeepOwnSettings(sensitivity_options);
  // The panel shows what each estimator gives; a given KCRV (--kcrv) is the report's alone.
  sensitivity_options.given_kcrv.reset();

  ProgressBar progress(err, ::isatty(STDERR_FILENO) == 1 && &err == &std::cerr);
  if (main_options.mc.trials > 0) {
    main_options.mc.progress =
        progress.Callback(fmt::format("Monte Carlo, {}", main_estimator->info.name));
    sensitivity_options.mc.progress = progress.Callback("Monte Carlo, sensitivity");
  }
  Analysis main = Analyse(comparison, main_options);
  main.warnings.insert(main.warnings.end(), notes.begin(), notes.end());
  if (!main.AllConverged()) {
    const EstimatorResult& r = main.results.front().result;
    err << fmt::format("keycomp: {}: {}: {}\n", main_estimator->info.name, ToString(r.status),
                       r.message);
    err << "keycomp: no report written: the report's estimator gave no KCRV\n";
    return 1;
  }
  Analysis sensitivity = Analyse(comparison, sensitivity_options);
  sensitivity.warnings.insert(sensitivity.warnings.end(), sensitivity_notes.begin(),
                              sensitivity_notes.end());

  // Correlated results: the report's estimator once more with the correlations ignored.
  std::optional<CorrelationEffect> correlation_effect;
  if (comparison.has_correlations()) {
    correlation_effect = AnalyseCorrelationEffect(comparison, main_options);
  }

  report::ReportInputs inputs;
  inputs.comparison = &comparison;
  if (correlation_effect) inputs.correlation_effect = &*correlation_effect;
  inputs.main = &main;
  inputs.main_options = &main_options;
  inputs.sensitivity = &sensitivity;
  inputs.sensitivity_options = &sensitivity_options;
  inputs.settings.title = config.title.value_or("");
  inputs.settings.comparison_id = config.comparison_id.value_or("");
  inputs.settings.prepared_by = config.prepared_by.value_or("");
  inputs.settings.kcrv_rationale = config.kcrv_rationale.value_or("");
  inputs.settings.estimator_source = estimator_source;
  inputs.settings.exclusions = exclusions;
  inputs.settings.draft_a = config.draft_a;
  inputs.settings.mc_trials = a.mc_trials;
  inputs.settings.seed = a.seed;
  inputs.provenance.keycomp_version = kVersion;
  inputs.provenance.input_path = a.input;
  inputs.provenance.input_sha256 = report::Sha256OfFile(a.input);
  if (!args.config.empty()) {
    inputs.provenance.config_path = args.config;
    inputs.provenance.config_sha256 = report::Sha256OfFile(args.config);
  }
  inputs.provenance.date = IsoDate();
  inputs.provenance.command_line = CommandLine(a, main_estimator->info.name, args);

  const report::ReportContent content = report::BuildReport(inputs);
  report::WriteOptions write_options;
  write_options.pdf = !args.no_pdf;
  const report::WriteOutcome outcome =
      report::WriteReportFolder(content, args.output_folder, write_options);
  if (!outcome.pdf_written && !args.no_pdf) err << "keycomp: note: " << outcome.note << "\n";
  if (content.results_xml.empty()) {
    err << "keycomp: note: results.xml not written: the comparison states no unit (give a "
           "`# unit:` or D-SI `# unit_dsi:` line)\n";
  }
  out << fmt::format(
      "report written to {}: report.html, report.md, report.tex{}{}, results.json, "
      "{}doe.csv and {} plots (SVG, PDF, PNG)\n",
      args.output_folder, outcome.pdf_written ? ", report.pdf" : "",
      outcome.docx_written ? ", report.docx" : "",
      content.results_xml.empty() ? "" : "results.xml, ", content.figures.size());
  return 0;
}

}  // namespace keycomp
