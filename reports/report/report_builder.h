// Builds the draft report of a comparison (CIPM MRA "Draft A") from finished analyses: the
// document (rendered to HTML, Markdown and LaTeX), its figures, the results JSON and the DoE
// table in KCDB form. It formats; every number comes from the analyses it is given.
//
// Structure, after the CC report templates (the CCM template puts a summary and the graphs
// first and keeps in appendices everything needed to reproduce the calculations):
//   1 Summary (with the results and DoE graphs)   2 Participants' results
//   3 Key comparison reference value (method and why)   4 Consistency check
//   5 Degrees of equivalence (table, graph)   6 Pairwise degrees of equivalence
//   7 Estimator sensitivity   8 Effect of correlations (correlated results only)
//   A Reproducing the report   B Input data   C Notes
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/comparison.h"
#include "core/correlation_effect.h"
#include "reports/plots/plots.h"
#include "reports/report/document.h"
#include "reports/report/report_config.h"

namespace keycomp::report {

/// Where the report came from, recorded in it and in results.json.
struct Provenance {
  std::string keycomp_version;
  std::string input_path;
  std::string input_sha256;
  std::string config_path;  ///< empty when no configuration file was used
  std::string config_sha256;
  std::string date;          ///< ISO 8601, UTC
  std::string command_line;  ///< a command that reproduces the report
};

/// What the report says besides the numbers.
struct ReportSettings {
  std::string title;          ///< empty: "<comparison>: Draft A report"
  std::string comparison_id;  ///< empty: the input's
  std::string prepared_by;
  std::string kcrv_rationale;    ///< the working group's reason for the estimator
  std::string estimator_source;  ///< how the estimator was chosen, e.g. "on the command line"
  std::vector<Exclusion> exclusions;  ///< labs excluded by the configuration or --exclude
  std::size_t mc_trials = 0;
  std::uint64_t seed = 0;
  DraftABlocks draft_a;  ///< introduction, participants, measurand, methods, conclusions
};

struct ReportInputs {
  const Comparison* comparison = nullptr;
  const Analysis* main = nullptr;  ///< one estimator: the KCRV of the report
  const AnalysisOptions* main_options = nullptr;
  const Analysis* sensitivity = nullptr;  ///< every estimator of the sensitivity section
  const AnalysisOptions* sensitivity_options = nullptr;
  /// The report's estimator with the stated correlations and with them ignored; null when the
  /// results are independent (no "Effect of correlations" section).
  const CorrelationEffect* correlation_effect = nullptr;
  ReportSettings settings;
  Provenance provenance;
};

struct NamedFigure {
  std::string name;  ///< file stem, e.g. "fig-results"
  plots::Figure figure;
};

struct ReportContent {
  Document document;
  std::vector<NamedFigure> figures;
  nlohmann::json results;  ///< the analyse JSON plus provenance and the sensitivity results
  std::string doe_csv;     ///< lab, D_i, U_i (KCDB form)
  std::string pairwise_csv;  ///< lab_i, lab_j, d_ij, U_ij; empty when the analysis has none
  /// BIPM key-comparison model / D-SI document (results.xml); empty when the comparison states
  /// no unit.
  std::string results_xml;
};

/// Builds the report. The main analysis must hold exactly one estimator that converged.
ReportContent BuildReport(const ReportInputs& inputs);

}  // namespace keycomp::report
