#include "core/input_error.h"

#include <fmt/format.h>

namespace keycomp {
namespace {

std::string Compose(const std::string& file, std::size_t line, const std::string& field,
                    const std::string& what) {
  std::string place;
  if (!file.empty()) place = file;
  if (line > 0) place += fmt::format("{}line {}", place.empty() ? "" : ":", line);
  if (!field.empty()) {
    place += fmt::format("{}field '{}'", place.empty() ? "" : ": ", field);
  }
  return place.empty() ? what : place + ": " + what;
}

}  // namespace

InputError::InputError(std::string file, std::size_t line, std::string field,
                       const std::string& what)
    : std::runtime_error(Compose(file, line, field, what)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)) {}

}  // namespace keycomp
