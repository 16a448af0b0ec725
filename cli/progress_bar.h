// A progress bar on stderr for long computations: drawn only on a terminal, only once the work
// has run for about a second, and silent when stderr is piped.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>

namespace keycomp {

class ProgressBar {
 public:
  /// `enabled` false: the callbacks do nothing (stderr is not a terminal).
  ProgressBar(std::ostream& out, bool enabled);
  ~ProgressBar();

  /// A callback taking the fraction done in [0, 1], for a task named `label`.
  std::function<void(double)> Callback(std::string label);

 private:
  void Update(const std::string& label, double fraction);

  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
};

}  // namespace keycomp
