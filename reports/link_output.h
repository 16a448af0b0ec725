// The renderings of a link (`keycomp link`): JSON, a table for people, a CSV of the linked
// degrees of equivalence. They only format the LinkResult they are given.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/comparison.h"
#include "core/link.h"

namespace keycomp {

nlohmann::json LinkToJson(const Comparison& rmo, const Comparison& cipm, const LinkResult& link);

std::string LinkToTable(const Comparison& rmo, const Comparison& cipm, const LinkResult& link);

/// One row per RMO lab (kind `linked_doe`), then per linking lab (kind `linking_lab`).
std::string LinkToCsv(const LinkResult& link);

}  // namespace keycomp
