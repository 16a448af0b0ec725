// Renderings of a drift correction (`keycomp drift`): the corrected comparison in the
// contract's JSON input format, with the fit and the per-lab corrections under a top-level
// "drift" key that the comparison reader ignores; and a table for people.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/drift.h"

namespace keycomp {

/// The corrected comparison as contract input JSON ("comparison", "results", "correlations"),
/// plus "drift": the model, the fit (parameters, covariance, chi2, Birge ratio, residuals) and
/// each lab's correction. `pilot_source` names the pilot file in the metadata.
nlohmann::json DriftToJson(const DriftCorrectedComparison& corrected, const DriftFit& fit,
                           const PilotData& pilot);

/// The fit and the corrected results as plain-text tables.
std::string DriftToTable(const DriftCorrectedComparison& corrected, const DriftFit& fit,
                         const PilotData& pilot);

}  // namespace keycomp
