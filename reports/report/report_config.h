// The report configuration file (JSON): what a working group fixes once for a comparison's
// report (title, estimator, exclusions and why, coverage, Monte Carlo trials, seed). Options
// given on the command line override it. Format: docs/report.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace keycomp::report {

/// A lab excluded from the reference value, with the working group's reason.
struct Exclusion {
  std::string lab;
  std::string reason;
};

/// One participant as a CC Draft A lists it.
struct Participant {
  std::string lab;  ///< the acronym used in the results
  std::string institute;
  std::string country;
  std::string measurement_dates;  ///< free text, e.g. "2024-03-04 to 2024-03-15"
  std::string method;             ///< the lab's measurement method, one line
};

/// The text blocks a CC Draft A carries besides the numbers (CC report templates). An unset
/// block is shown as a marked placeholder, never dropped.
struct DraftABlocks {
  std::optional<std::string> introduction;
  std::optional<std::vector<Participant>> participants;
  std::optional<std::string> measurand;          ///< the measurand, defined in words
  std::optional<std::string> transfer_standard;  ///< samples or travelling standard
  std::optional<std::string> methods;            ///< measurement methods (general text)
  std::optional<std::string> conclusions;
};

/// Every field is optional: absent means "not set here" (the command line or the default
/// decides).
struct ReportConfig {
  std::string source;  ///< the file it was read from
  std::optional<std::string> title;
  std::optional<std::string> comparison_id;
  std::optional<std::string> prepared_by;  ///< e.g. the working group or pilot laboratory
  std::optional<std::string> estimator;
  std::optional<std::string> kcrv_rationale;  ///< why this estimator, in the group's words
  std::optional<std::vector<Exclusion>> exclusions;
  std::optional<double> coverage;
  std::optional<std::size_t> mc_trials;
  std::optional<std::uint64_t> seed;
  /// Estimators of the sensitivity section (default: every estimator that applies).
  std::optional<std::vector<std::string>> sensitivity_estimators;
  /// Estimator settings, "ESTIMATOR.NAME": "VALUE" (as --set).
  std::optional<std::map<std::string, std::string>> settings;
  DraftABlocks draft_a;
};

/// Parses the configuration text. Throws InputError naming `source`, the line (for syntax
/// errors) and the field on malformed JSON, unknown keys and wrongly typed values.
ReportConfig ParseReportConfig(const std::string& text, const std::string& source);

/// Reads and parses a configuration file. Throws InputError when it cannot be read.
ReportConfig ReadReportConfig(const std::string& path);

}  // namespace keycomp::report
