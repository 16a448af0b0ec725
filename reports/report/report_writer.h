// Writes a built report into its folder, all or nothing: every file goes into a temporary
// folder beside the target, which is renamed into place only when complete.
#pragma once

#include <string>

#include "reports/report/report_builder.h"

namespace keycomp::report {

struct WriteOptions {
  bool pdf = true;                   ///< run pdflatex on report.tex when it is installed
  std::string pdflatex = "pdflatex";  ///< the program, looked up on PATH
  std::string pandoc = "pandoc";      ///< makes report.docx from report.md when installed
};

struct WriteOutcome {
  bool pdf_written = false;
  std::string note;  ///< why there is no report.pdf, when there is none
  bool docx_written = false;  ///< report.docx (pandoc installed and it succeeded)
};

/// Writes report.html, report.md, report.tex (and report.pdf), results.json, doe.csv, the
/// pairwise CSV when there is one, and every figure as SVG, PDF and PNG into `folder`.
///
/// `folder`'s parent must exist. An existing `folder` is replaced only when it is empty or
/// holds an earlier keycomp report (results.json with a "report" entry); anything else is
/// refused, so that a mistyped -o never deletes someone's files. Throws InputError (naming
/// the folder) on refusal or on a write failure, leaving `folder` as it was.
WriteOutcome WriteReportFolder(const ReportContent& content, const std::string& folder,
                               const WriteOptions& options = {});

}  // namespace keycomp::report
