#include "reports/report/rounding.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace keycomp::report {
namespace {

// -1, 0, 1 as |x| is below, at or above 1: the side of the E_n criterion a ratio lies on.
int Side(double x) {
  const double a = std::abs(x);
  return a > 1 ? 1 : (a < 1 ? -1 : 0);
}

// The number a rounded text stands for, so that comparisons see what the reader sees.
double Value(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

}  // namespace

int DecimalsFor(double uncertainty, int significant) {
  const double a = std::abs(uncertainty);
  if (!std::isfinite(a) || a == 0) return 3;
  // The exponent of the number rounded to `significant` digits in scientific notation, so that
  // 0.0996 -> 1.0e-01 counts as 0.10, and exact powers of ten do not depend on log10's last bit.
  const std::string scientific = fmt::format("{:.{}e}", a, std::max(significant, 1) - 1);
  const int exponent = std::atoi(scientific.c_str() + scientific.find('e') + 1);
  return significant - 1 - exponent;
}

std::string FixedText(double x, int decimals) {
  if (!std::isfinite(x)) return "";
  std::string text;
  if (decimals >= 0) {
    text = fmt::format("{:.{}f}", x, std::min(decimals, 340));
  } else {
    const double step = std::pow(10.0, -decimals);
    text = fmt::format("{:.0f}", std::round(x / step) * step);
  }
  if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

std::string EnText(double en) {
  if (!std::isfinite(en)) return "";
  std::string text;
  for (int decimals = 2; decimals <= 17; ++decimals) {
    text = FixedText(en, decimals);
    if (std::abs(en) == 1 || std::abs(Value(text)) != 1) break;
  }
  return text;
}

RoundedDoe RoundDoe(double d, double u, double expanded, double en) {
  RoundedDoe out;
  out.decimals = DecimalsFor(expanded, 2);
  const bool checkable =
      std::isfinite(d) && std::isfinite(en) && expanded > 0 && std::isfinite(expanded);
  // Past 17 significant digits of U the rounded numbers are the doubles themselves.
  const int most = checkable ? DecimalsFor(expanded, 17) : out.decimals;
  for (; out.decimals < most; ++out.decimals) {
    const double rounded_u = Value(FixedText(expanded, out.decimals));
    const double rounded_d = Value(FixedText(d, out.decimals));
    if (rounded_u > 0 && Side(rounded_d / rounded_u) == Side(en)) break;
  }
  out.d = FixedText(d, out.decimals);
  out.u = FixedText(u, out.decimals);
  out.expanded = FixedText(expanded, out.decimals);
  out.en = EnText(en);
  return out;
}

}  // namespace keycomp::report
