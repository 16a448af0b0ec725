// `keycomp report INPUT -o DIR`: the draft report (Draft A) of a comparison as HTML, Markdown,
// LaTeX/PDF, JSON, the DoE table in KCDB form and the plots. Takes the analyse options, -o DIR
// and --config FILE (a report configuration that command-line options override).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

#include "cli/analyse_command.h"

namespace keycomp {

struct ReportArguments {
  AnalyseArguments analyse;
  std::string output_folder;  ///< -o DIR
  std::string config;         ///< --config FILE
  bool no_pdf = false;        ///< --no-pdf: skip pdflatex
  const CLI::App* command = nullptr;  ///< the parsed subcommand: which options were given
};

/// Declares the `report` subcommand with its options on `app` and returns it.
CLI::App* AddReportCommand(CLI::App& app, ReportArguments& args);

/// Runs the report subcommand. Throws InputError on bad input or options (exit 2); returns 1,
/// writing nothing, when the report's estimator does not converge.
int RunReport(const ReportArguments& args, std::ostream& out, std::ostream& err);

}  // namespace keycomp
