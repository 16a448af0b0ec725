// Serialises JSON with every floating-point number at 17 significant digits (enough to
// round-trip any double) and non-finite numbers as null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace keycomp {

/// Pretty-printed with `indent` spaces per level (compact when negative).
std::string DumpJson(const nlohmann::json& value, int indent = 2);

}  // namespace keycomp
