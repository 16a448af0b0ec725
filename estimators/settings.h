// Reads the estimator-specific settings (`--set NAME=VALUE`) an estimator knows, and refuses
// the ones it does not: a misspelt setting must not be silently ignored.
#pragma once

#include <initializer_list>
#include <map>
#include <set>
#include <string>

namespace keycomp {

class SettingsReader {
 public:
  SettingsReader(const char* estimator, const std::map<std::string, std::string>& settings)
      : estimator_(estimator), settings_(settings) {}

  /// One of `choices`, or `fallback` when absent. Throws InputError on another value.
  std::string Choice(const std::string& key, std::initializer_list<const char*> choices,
                     const std::string& fallback);
  /// A finite number in [low, high], or `fallback` when absent.
  double Number(const std::string& key, double low, double high, double fallback);
  /// The raw text of the setting, or `fallback` when absent (for lists the caller parses).
  std::string Text(const std::string& key, const std::string& fallback);
  /// Throws InputError naming the first key nobody asked for.
  void RejectUnknown() const;

 private:
  const char* estimator_;
  const std::map<std::string, std::string>& settings_;
  std::set<std::string> known_;
};

}  // namespace keycomp
