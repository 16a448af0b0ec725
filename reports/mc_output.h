// Renderings of a Monte Carlo evaluation (`keycomp mc`): the contract's JSON and a table for
// people. They only format the result they are given.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/mc/engine.h"
#include "core/mc/model.h"

namespace keycomp {

/// The JSON document of `keycomp mc` (../shared/spec/cli.md, "mc"; fields in docs/mc.md).
nlohmann::json McResultToJson(const mc::MeasurementModel& model, const mc::McResult& result);

/// A plain-text summary: Monte Carlo and GUM side by side, the GUM budget, the §8 verdict.
std::string McResultToTable(const mc::MeasurementModel& model, const mc::McResult& result);

}  // namespace keycomp
