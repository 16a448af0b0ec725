// Serialises JSON with every floating-point number as the shortest decimal text that reads back
// as the same double (0.95, not 0.94999999999999996) and non-finite numbers as null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace keycomp {

/// Pretty-printed with `indent` spaces per level (compact when negative).
std::string DumpJson(const nlohmann::json& value, int indent = 2);

}  // namespace keycomp
