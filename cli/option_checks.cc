#include "cli/option_checks.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/input_error.h"

namespace keycomp {
namespace {

// The option's text as a finite number, or an explanation why it is not one.
std::string ParseFinite(const std::string& text, double& value) {
  if (text.empty()) return "a number is needed";
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  value = std::strtod(begin, &end);
  if (end == begin || *end != '\0') return fmt::format("'{}' is not a number", text);
  if (errno == ERANGE && std::isinf(value)) {
    return fmt::format("'{:.40}' is out of the range of numbers", text);
  }
  if (!std::isfinite(value)) return fmt::format("'{:.40}' is not a finite number", text);
  return {};
}

std::string Limit(double x) {
  if (x == 18446744073709551615.0) return "18446744073709551615";  // 2^64 - 1, a seed's largest
  return fmt::format("{:.15g}", x);
}

}  // namespace

CLI::Validator WholeNumberIn(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        double value = 0;
        if (std::string why = ParseFinite(text, value); !why.empty()) return why;
        if (value != std::floor(value)) {
          return fmt::format("must be a whole number, got {}", text);
        }
        if (value < min || value > max) {
          return fmt::format("must be {} to {}, got {}", Limit(min), Limit(max), text);
        }
        // CLI11 converts integers from decimal digits: give it those.
        text = fmt::format("{:.0f}", value);
        return {};
      },
      fmt::format("INT in [{} - {}]", Limit(min), Limit(max)));
}

CLI::Validator NumberIn(double min, double max, bool open_min) {
  return CLI::Validator(
      [min, max, open_min](std::string& text) -> std::string {
        double value = 0;
        if (std::string why = ParseFinite(text, value); !why.empty()) return why;
        if (value < min || value > max || (open_min && value == min)) {
          return fmt::format("must lie in {}{}, {}], got {}", open_min ? "(" : "[", Limit(min),
                             Limit(max), text);
        }
        return {};
      },
      fmt::format("NUMBER in {}{} - {}]", open_min ? "(" : "[", Limit(min), Limit(max)));
}

CLI::Validator OutputFile() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty()) return "an empty file name (give a file, or - for standard output)";
        if (text == "-") text.clear();
        return {};
      },
      "FILE or -");
}

void AddMaxMemoryOption(CLI::App& command, double& max_gib) {
  command
      .add_option("--max-memory", max_gib,
                  fmt::format("largest memory (GiB) a Monte Carlo run may hold; a run that needs "
                              "more is refused before it starts (default {})",
                              kDefaultMaxMemoryGib))
      ->check(NumberIn(0, 1e6, /*open_min=*/true));
}

double McMemoryBytes(double trials) { return 16.0 * trials; }

double McDoeMemoryBytes(double trials, double labs, bool leave_one_out) {
  return 8.0 * trials * (1.0 + labs * (leave_one_out ? 2.0 : 1.0));
}

void CheckMemory(double bytes, double max_gib, const std::string& option, const std::string& what) {
  const double gib = bytes / (1024.0 * 1024.0 * 1024.0);
  if (gib <= max_gib) return;
  throw InputError("", 0, option,
                   fmt::format("{}: about {:.3g} GiB needed, beyond the limit of {:.3g} GiB "
                               "(raise it with --max-memory GIB, or use fewer trials)",
                               what, gib, max_gib));
}

}  // namespace keycomp
