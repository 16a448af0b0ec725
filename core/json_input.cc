#include "core/json_input.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/input_error.h"

namespace keycomp {

nlohmann::json ParseJsonInput(const std::string& text, const std::string& source,
                              const std::string& message) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character: count the line breaks
    // before that character.
    const std::size_t upto = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const auto breaks = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
    throw InputError(source, 1 + static_cast<std::size_t>(breaks), "",
                     message.empty() ? fmt::format("invalid JSON ({})", e.what()) : message);
  }
}

}  // namespace keycomp
