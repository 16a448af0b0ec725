#include "core/text_fields.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/input_error.h"

namespace keycomp {

std::string_view Trim(std::string_view text) {
  const char* blanks = " \t\r\n";
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(blanks);
  return text.substr(first, last - first + 1);
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

[[noreturn]] void Fail(const FieldPlace& place, const std::string& what) {
  throw InputError(place.file, place.line, place.field, what);
}

}  // namespace

double ParseFinite(std::string_view text, const FieldPlace& place) {
  const std::string_view t = Trim(text);
  if (t.empty()) Fail(place, "missing number");
  double value = 0;
  const char* begin = t.data();
  const char* end = t.data() + t.size();
  if (*begin == '+') ++begin;  // from_chars does not take a leading '+'
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc::result_out_of_range) {
    Fail(place, fmt::format("'{}' is out of the range of a double", t));
  }
  if (ec != std::errc() || ptr != end) Fail(place, fmt::format("'{}' is not a number", t));
  if (!std::isfinite(value)) Fail(place, fmt::format("'{}' is not a finite number", t));
  return value;
}

std::string ShortestText(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  // std::to_chars without a precision gives the shortest round-trip form (C++17); 32 chars
  // hold any double in it.
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

double ParseDof(std::string_view text, const FieldPlace& place) {
  const std::string t = ToLower(Trim(text));
  if (t.empty() || t == "inf" || t == "+inf" || t == "infinity" || t == "+infinity") {
    return std::numeric_limits<double>::infinity();
  }
  const double dof = ParseFinite(t, place);
  if (!(dof > 0)) Fail(place, fmt::format("dof must be > 0, got {}", t));
  return dof;
}

bool ParseFlag(std::string_view text, const FieldPlace& place) {
  const std::string t = ToLower(Trim(text));
  if (t == "1" || t == "true" || t == "yes" || t == "y") return true;
  if (t == "0" || t == "false" || t == "no" || t == "n") return false;
  Fail(place, fmt::format("'{}' is not a flag (use 1/0, true/false or yes/no)", Trim(text)));
}

std::vector<std::string> SplitCsvRecord(std::string_view line, const FieldPlace& place) {
  std::vector<std::string> fields;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          current += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        current += c;
      }
    } else if (c == '"' && Trim(current).empty()) {
      current.clear();
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back(Trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (quoted) Fail(place, "unterminated quoted field");
  fields.emplace_back(Trim(current));
  return fields;
}

}  // namespace keycomp
