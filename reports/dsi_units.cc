#include "reports/dsi_units.h"

#include <array>
#include <string_view>
#include <utility>

#include "core/text_fields.h"

namespace keycomp {
namespace {

// Prefixes, longest symbol first where one is a prefix of another ("da" before "d").
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kPrefixes{{
    {"da", "\\deca"},
    {"G", "\\giga"},
    {"M", "\\mega"},
    {"k", "\\kilo"},
    {"h", "\\hecto"},
    {"d", "\\deci"},
    {"c", "\\centi"},
    {"m", "\\milli"},
    {"u", "\\micro"},
    {"\xC2\xB5", "\\micro"},  // U+00B5 MICRO SIGN
    {"\xCE\xBC", "\\micro"},  // U+03BC GREEK SMALL LETTER MU
    {"n", "\\nano"},
    {"p", "\\pico"},
    {"f", "\\femto"},
}};

// Units that take prefixes.
constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kUnits{{
    {"g", "\\gram"},
    {"mol", "\\mole"},
    {"Bq", "\\becquerel"},
    {"K", "\\kelvin"},
    {"m", "\\metre"},
    {"V", "\\volt"},
    {"A", "\\ampere"},
    {"ohm", "\\ohm"},
    {"Ohm", "\\ohm"},
    {"\xCE\xA9", "\\ohm"},
    {"F", "\\farad"},
    {"H", "\\henry"},
    {"W", "\\watt"},
    {"Hz", "\\hertz"},
    {"s", "\\second"},
    {"L", "\\litre"},
    {"l", "\\litre"},
}};

// Units without prefixes, and whole-string forms.
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kWhole{{
    {"%", "\\percent"},
    {"1", "\\one"},
    {"one", "\\one"},
    {"dimensionless", "\\one"},
    {"ppm", "\\ppm"},
    {"degC", "\\degreecelsius"},
    {"\xC2\xB0"
     "C",
     "\\degreecelsius"},
    {"\xE2\x84\x83", "\\degreecelsius"},
    {"copies", "\\one"},
    {"copy", "\\one"},
    {"cp", "\\one"},
    {"min", "\\minute"},
    {"d", "\\day"},
}};

// One factor without '/': a whole unit, a unit, or a prefixed unit.
std::optional<std::string> Factor(std::string_view s) {
  for (const auto& [symbol, dsi] : kWhole) {
    if (s == symbol) return std::string(dsi);
  }
  for (const auto& [symbol, dsi] : kUnits) {
    if (s == symbol) return std::string(dsi);
  }
  for (const auto& [prefix, pdsi] : kPrefixes) {
    if (s.size() <= prefix.size() || s.substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = s.substr(prefix.size());
    for (const auto& [symbol, dsi] : kUnits) {
      if (rest == symbol) return std::string(pdsi) + std::string(dsi);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> DsiUnit(const std::string& unit) {
  const std::string_view u = Trim(unit);
  if (u.empty()) return std::nullopt;
  if (u.front() == '\\') return std::string(u);
  // "a/b" -> a \per b; at most one '/'.
  const auto slash = u.find('/');
  if (slash == std::string_view::npos) return Factor(u);
  if (u.find('/', slash + 1) != std::string_view::npos) return std::nullopt;
  const auto num = Factor(Trim(u.substr(0, slash)));
  const auto den = Factor(Trim(u.substr(slash + 1)));
  if (!num || !den) return std::nullopt;
  return *num + "\\per" + *den;
}

}  // namespace keycomp
