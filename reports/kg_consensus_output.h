// Renderings of the kilogram consensus-value calculation (`keycomp consensus`): JSON and a
// table. They only format the result they are given.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/kg_consensus.h"

namespace keycomp {

/// The JSON document of `keycomp consensus` (fields in docs/kg-consensus.md).
nlohmann::json ConsensusToJson(const KcrvHistory& history, const ConsensusResult& result);

/// One line per revision: window, mean, previous, change, limited, published, u.
std::string ConsensusToTable(const KcrvHistory& history, const ConsensusResult& result);

}  // namespace keycomp
