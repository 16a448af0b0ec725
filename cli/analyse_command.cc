#include "cli/analyse_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <ostream>

#include "cli/option_checks.h"
#include "cli/output_format.h"
#include "cli/progress_bar.h"
#include "core/input_error.h"
#include "core/kc_document.h"
#include "core/mc/lab_models.h"
#include "core/read_comparison.h"
#include "core/text_fields.h"
#include "estimators/registry.h"
#include "reports/analysis_output.h"
#include "reports/atomic_file.h"
#include "reports/dsi_xml_output.h"
#include "reports/json_writer.h"

namespace keycomp {

void DeclareAnalyseOptions(CLI::App& command, AnalyseArguments& args, bool file_output) {
  command.add_option("INPUT", args.input, "comparison file (CSV or JSON)")->required();
  command
      .add_option("-e,--estimator", args.estimators,
                  "estimator name (repeatable or comma-separated; default weighted_mean)")
      ->delimiter(',');
  command.add_flag("--all", args.all, "run every estimator that applies to the comparison");
  command
      .add_option(
          "--mc", args.mc_trials,
          "Monte Carlo / parametric bootstrap trials for the uncertainties (0: analytic; memory "
          "about 8 x trials x (labs + 1) bytes, twice that with --doe leave_one_out)")
      ->transform(WholeNumberIn(0, 1e15));
  command.add_option("--seed", args.seed, "seed of the random number generator")
      ->transform(WholeNumberIn(0, 18446744073709551615.0));
  AddMaxMemoryOption(command, args.max_memory_gib);
  command.add_option("--threads", args.threads, "worker threads (0: all cores)")
      ->transform(WholeNumberIn(0, 1024));
  command.add_option("--coverage", args.coverage, "coverage probability (default 0.95)");
  if (file_output) {
    command
        .add_option("--format", args.format,
                    "json, table, csv or dsi-xml (BIPM key-comparison model, D-SI quantities)")
        ->check(CLI::IsMember({"json", "table", "csv", "dsi-xml"}));
    command
        .add_option("-o,--output", args.output,
                    "write the output to FILE (atomically; - for standard output)")
        ->transform(OutputFile());
  }
  command
      .add_option("--exclude", args.exclude,
                  "exclude LAB from the reference value (repeatable or comma-separated)")
      ->delimiter(',');
  command.add_option("--correlations", args.correlations,
                     "CSV of correlations between labs' results: lab_a,lab_b,r");
  command.add_option("--set", args.settings,
                     "estimator setting ESTIMATOR.NAME=VALUE, e.g. weighted_mean.u=external");
  command
      .add_option("--doe", args.doe_convention,
                  "degree-of-equivalence convention: mra (default) or leave_one_out")
      ->check(CLI::IsMember({"mra", "leave_one_out"}));
  command
      .add_option("--bootstrap", args.bootstrap,
                  "with --mc: parametric (default) or nicob (the NIST Consensus Builder's "
                  "DerSimonian-Laird bootstrap: tau^2 and u_i redrawn, results drawn about "
                  "the KCRV)")
      ->check(CLI::IsMember({"parametric", "nicob"}));
  command
      .add_option("--dark-uncertainty", args.dark_uncertainty,
                  "tau in the DoE uncertainty: recognised (default with tau) or ignored")
      ->check(CLI::IsMember({"recognised", "recognized", "ignored"}));
  command
      .add_option("--chi2-over", args.chi2_over,
                  "chi-squared check over the included results about their weighted mean "
                  "(included, default) or over all results about the KCRV with N-1 dof (all)")
      ->check(CLI::IsMember({"included", "all"}));
  command
      .add_option("--doe-uncertainty", args.doe_uncertainty,
                  "u(d_i) with the covariance of lab and KCRV (exact, default) or "
                  "u_i^2 + u^2(KCRV) for every lab (independent)")
      ->check(CLI::IsMember({"exact", "independent"}));
  command
      .add_option("--kcrv", args.kcrv,
                  "DoE against this given (published) reference value; needs --kcrv-u")
      ->check(NumberIn(-1e300, 1e300));
  command.add_option("--kcrv-u", args.kcrv_u, "standard uncertainty of the given --kcrv")
      ->check(NumberIn(0, 1e300));
  command
      .add_option("--kcrv-covariance", args.kcrv_covariance,
                  "with --kcrv: its covariance with each lab from the estimator's weights "
                  "(estimator, default), as an inverse-variance weighted mean of the included "
                  "labs whose standard uncertainty is --kcrv-u (weighted_mean), or none")
      ->check(CLI::IsMember({"estimator", "weighted_mean", "none"}));
}

namespace {

// --kcrv, --kcrv-u and --kcrv-covariance as the analysis options' given KCRV.
std::optional<GivenKcrv> GivenKcrvFrom(const AnalyseArguments& args) {
  if (args.kcrv.has_value() != args.kcrv_u.has_value()) {
    throw InputError("", 0, args.kcrv ? "--kcrv-u" : "--kcrv",
                     "a given KCRV needs both --kcrv and --kcrv-u");
  }
  if (!args.kcrv) {
    if (args.kcrv_covariance != "estimator") {
      throw InputError("", 0, "--kcrv-covariance", "applies to a given KCRV (--kcrv) only");
    }
    return std::nullopt;
  }
  GivenKcrv given;
  given.value = *args.kcrv;
  given.u = *args.kcrv_u;
  if (args.kcrv_covariance == "weighted_mean") {
    given.covariance = GivenKcrv::Covariance::kWeightedMean;
  } else if (args.kcrv_covariance == "none") {
    given.covariance = GivenKcrv::Covariance::kNone;
  }
  return given;
}

// Edit distance of two short names (case-insensitive), for "did you mean".
std::size_t NameDistance(const std::string& a, const std::string& b) {
  const std::string x = ToLower(a), y = ToLower(b);
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

// --exclude's names, trimmed ("NRC, PTB"), each a lab of the comparison; an unknown one is bad
// input naming the closest lab ("did you mean 'NRC'?").
std::vector<std::string> ExcludedLabs(const AnalyseArguments& args, const Comparison& comparison) {
  std::vector<std::string> names;
  for (const std::string& raw : args.exclude) {
    const std::string name(Trim(raw));
    if (name.empty()) continue;
    if (comparison.IndexOf(name) < comparison.size()) {
      names.push_back(name);
      continue;
    }
    std::string best;
    std::size_t best_distance = 3;  // suggest only names within two edits (case aside)
    for (const LabResult& r : comparison.results()) {
      const std::size_t d = NameDistance(name, r.lab);
      if (d < best_distance) best = r.lab, best_distance = d;
    }
    throw InputError(comparison.source(), 0, "--exclude",
                     fmt::format("unknown lab '{}'{}", name,
                                 best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best)));
  }
  return names;
}

}  // namespace

Comparison LoadComparison(const AnalyseArguments& args) {
  // A key-comparison document (results.xml, the BIPM's database files): its submissions.
  // Labs that name a model file (column or key `model`) get their Monte Carlo result.
  std::vector<std::string> notes;
  Comparison comparison =
      IsKcDocumentPath(args.input)
          ? ComparisonFromKcDocument(ReadKcDocument(args.input), args.input, notes)
          : mc::ReadComparisonWithLabModels(args.input, {args.seed, args.threads});
  for (const std::string& note : notes) std::cerr << "keycomp: note: " << note << "\n";
  if (!args.correlations.empty()) {
    comparison = comparison.WithCorrelations(ReadCorrelationsCsv(args.correlations));
  }
  if (!args.exclude.empty()) comparison = comparison.WithExcluded(ExcludedLabs(args, comparison));
  return comparison;
}

AnalysisOptions BuildAnalysisOptions(const AnalyseArguments& args, const Comparison& comparison,
                                     std::vector<std::string>& notes) {
  AnalysisOptions options;
  options.estimator.coverage = args.coverage;
  options.estimator.seed = args.seed;
  options.estimator.threads = args.threads;
  if (std::string why = options.estimator.Validate(); !why.empty()) {
    throw InputError("", 0, "--coverage", why);
  }
  for (const std::string& s : args.settings) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError("", 0, "--set", fmt::format("'{}' is not ESTIMATOR.NAME=VALUE", s));
    }
    options.estimator.settings[std::string(Trim(s.substr(0, eq)))] =
        std::string(Trim(s.substr(eq + 1)));
  }
  if (!args.dark_uncertainty.empty()) {
    options.doe.dark = DarkUncertaintyFromString(args.dark_uncertainty);
  }
  options.doe.convention = DoeConventionFromString(args.doe_convention).value();
  options.doe.uncertainty = DoeUncertaintyFromString(args.doe_uncertainty).value();
  options.chi2_over = ChiSquaredOverFromString(args.chi2_over).value();
  options.given_kcrv = GivenKcrvFrom(args);
  options.mc.trials = args.mc_trials;
  options.mc.seed = args.seed;
  options.mc.threads = args.threads;
  options.mc.variant = BootstrapVariantFromString(args.bootstrap).value();
  if (args.mc_trials > 0 && args.mc_trials < 100) {
    throw InputError("", 0, "--mc",
                     fmt::format("--mc needs at least 100 trials, got {}", args.mc_trials));
  }
  CheckMemory(
      McDoeMemoryBytes(static_cast<double>(args.mc_trials), static_cast<double>(comparison.size()),
                       options.doe.convention == DoeConvention::kLeaveOneOut),
      args.max_memory_gib, "--mc", "the Monte Carlo draws of every lab");

  if (args.all) {
    if (!args.estimators.empty()) {
      throw InputError("", 0, "--all", "give either --all or --estimator, not both");
    }
    for (const Estimator& e : BuiltinEstimators()) {
      if (comparison.n_included() >= e.info.min_labs) {
        options.estimators.push_back(&e);
      } else {
        notes.push_back(fmt::format("{} skipped: needs at least {} included labs", e.info.name,
                                    e.info.min_labs));
      }
    }
  } else {
    std::vector<std::string> names = args.estimators;
    if (names.empty()) names.push_back("weighted_mean");
    for (const std::string& name : names) {
      const Estimator* e = FindEstimator(Trim(name));
      if (e == nullptr) {
        std::string known;
        for (const Estimator& k : BuiltinEstimators()) {
          known += known.empty() ? k.info.name : fmt::format(", {}", k.info.name);
        }
        throw InputError("", 0, "--estimator",
                         fmt::format("unknown estimator '{}' (known: {})", name, known));
      }
      options.estimators.push_back(e);
    }
  }
  return options;
}

int RunAnalyse(const AnalyseArguments& args, std::ostream& out, std::ostream& err,
               bool stdout_is_terminal) {
  const Comparison comparison = LoadComparison(args);
  std::vector<std::string> notes;
  AnalysisOptions options = BuildAnalysisOptions(args, comparison, notes);
  ProgressBar progress(err, ::isatty(STDERR_FILENO) == 1 && &err == &std::cerr);
  if (options.mc.trials > 0) options.mc.progress = progress.Callback("Monte Carlo");
  Analysis analysis = Analyse(comparison, options);
  analysis.warnings.insert(analysis.warnings.end(), notes.begin(), notes.end());

  const std::string format = ChooseOutputFormat(args.format, args.output, stdout_is_terminal);
  std::string text;
  if (format == "json") {
    nlohmann::json json = AnalysisToJson(comparison, analysis, options);
    // A key-comparison document also publishes KCRVs and DoE: shown beside the analysis.
    if (IsKcDocumentPath(args.input)) {
      json["published"] = KcReleasesToJson(ReadKcDocument(args.input));
    }
    text = DumpJson(json);
  } else if (format == "csv") {
    text = AnalysisToCsv(comparison, analysis);
  } else if (format == "dsi-xml") {
    text = AnalysisToDsiXml(comparison, analysis, options);
  } else {
    text = AnalysisToTable(comparison, analysis, options);
  }

  if (!analysis.AllConverged()) {
    for (const auto& entry : analysis.results) {
      if (entry.result.status == Status::kOk) continue;
      err << fmt::format("keycomp: {}: {}: {}\n", entry.estimator->info.name,
                         ToString(entry.result.status), entry.result.message);
    }
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
