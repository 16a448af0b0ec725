// The three renderings of an Analysis that `keycomp analyse` prints: the contract's JSON, a
// table for people, and a CSV of degrees of equivalence. They only format what they are given.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/analysis.h"
#include "core/comparison.h"

namespace keycomp {

/// The contract's JSON document (see ../shared/spec/cli.md, "Output of analyse").
nlohmann::json AnalysisToJson(const Comparison& comparison, const Analysis& analysis,
                              const AnalysisOptions& options);

/// A plain-text table: consistency, estimators side by side, then each estimator's DoE.
std::string AnalysisToTable(const Comparison& comparison, const Analysis& analysis,
                            const AnalysisOptions& options);

/// One CSV row per (estimator, lab): the KCRV columns repeated, then the lab's DoE.
std::string AnalysisToCsv(const Comparison& comparison, const Analysis& analysis);

/// `x` in fixed notation with enough decimals to show `resolution` to three significant
/// digits (general format when that is impractical).
std::string FormatMeasured(double x, double resolution);

}  // namespace keycomp
