#include "estimators/settings.h"

#include <fmt/format.h>

#include "core/input_error.h"
#include "core/text_fields.h"

namespace keycomp {

std::string SettingsReader::Choice(const std::string& key,
                                   std::initializer_list<const char*> choices,
                                   const std::string& fallback) {
  known_.insert(key);
  auto it = settings_.find(key);
  if (it == settings_.end()) return fallback;
  std::string all;
  for (const char* c : choices) {
    if (it->second == c) return it->second;
    all += all.empty() ? c : fmt::format(", {}", c);
  }
  throw InputError("", 0, "--set " + key,
                   fmt::format("estimator '{}': '{}' is not one of: {}", estimator_, it->second,
                               all));
}

double SettingsReader::Number(const std::string& key, double low, double high, double fallback) {
  known_.insert(key);
  auto it = settings_.find(key);
  if (it == settings_.end()) return fallback;
  const std::string field = "--set " + key;
  const double v = ParseFinite(it->second, {"", 0, field});
  if (v < low || v > high) {
    throw InputError("", 0, field,
                     fmt::format("estimator '{}': {} must lie in [{}, {}], got {}", estimator_,
                                 key, low, high, v));
  }
  return v;
}

std::string SettingsReader::Text(const std::string& key, const std::string& fallback) {
  known_.insert(key);
  auto it = settings_.find(key);
  return it == settings_.end() ? fallback : it->second;
}

void SettingsReader::RejectUnknown() const {
  for (const auto& [key, value] : settings_) {
    if (!known_.count(key)) {
      throw InputError("", 0, "--set " + key,
                       fmt::format("estimator '{}' has no setting '{}'", estimator_, key));
    }
  }
}

}  // namespace keycomp
