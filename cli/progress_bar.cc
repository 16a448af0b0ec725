#include "cli/progress_bar.h"

#include <fmt/format.h>

#include <ostream>

namespace keycomp {

ProgressBar::ProgressBar(std::ostream& out, bool enabled)
    : out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_) out_ << "\n" << std::flush;
}

std::function<void(double)> ProgressBar::Callback(std::string label) {
  if (!enabled_) return {};
  start_ = std::chrono::steady_clock::now();
  return [this, label = std::move(label)](double fraction) { Update(label, fraction); };
}

void ProgressBar::Update(const std::string& label, double fraction) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // Nothing for short runs; then at most ten redraws a second.
  if (elapsed < 1.0 && fraction < 1.0) return;
  if (fraction < 1.0 && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  if (!drawn_ && fraction >= 1.0) return;
  last_draw_ = now;
  drawn_ = true;
  constexpr int kWidth = 40;
  const int filled = static_cast<int>(fraction * kWidth);
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  out_ << fmt::format("\r{} [{}{}] {:3.0f} %  {:.1f} s elapsed, {:.1f} s left ", label,
                      std::string(static_cast<std::size_t>(filled), '#'),
                      std::string(static_cast<std::size_t>(kWidth - filled), '.'), 100 * fraction,
                      elapsed, eta)
       << std::flush;
}

}  // namespace keycomp
