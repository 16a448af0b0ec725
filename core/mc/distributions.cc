#include "core/mc/distributions.h"

#include <fmt/format.h>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <numbers>

namespace keycomp::mc {
namespace {

struct KindName {
  DistributionKind kind;
  const char* name;
};

constexpr KindName kKindNames[] = {
    {DistributionKind::kNormal, "normal"},
    {DistributionKind::kStudentT, "student_t"},
    {DistributionKind::kRectangular, "rectangular"},
    {DistributionKind::kTriangular, "triangular"},
    {DistributionKind::kArcsine, "arcsine"},
    {DistributionKind::kTrapezoidal, "trapezoidal"},
    {DistributionKind::kLognormal, "lognormal"},
    {DistributionKind::kGamma, "gamma"},
    {DistributionKind::kExponential, "exponential"},
    {DistributionKind::kPoisson, "poisson"},
    {DistributionKind::kBinomial, "binomial"},
    {DistributionKind::kConstant, "constant"},
};

double StandardNormalQuantile(double u) {
  return -std::numbers::sqrt2 * boost::math::erfc_inv(2 * u);
}

double StandardNormalCdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

std::string Need(bool ok, const char* field, const std::string& why) {
  return ok ? std::string() : fmt::format("{}: {}", field, why);
}

}  // namespace

const char* ToString(DistributionKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

std::optional<DistributionKind> DistributionKindFromString(std::string_view text) {
  for (const KindName& k : kKindNames) {
    if (text == k.name) return k.kind;
  }
  // Common alternative spellings.
  if (text == "gaussian") return DistributionKind::kNormal;
  if (text == "uniform") return DistributionKind::kRectangular;
  if (text == "t" || text == "student") return DistributionKind::kStudentT;
  if (text == "u_shaped") return DistributionKind::kArcsine;
  return std::nullopt;
}

std::string Distribution::Validate() const {
  const auto finite = [](double x) { return std::isfinite(x); };
  std::string why;
  switch (kind) {
    case DistributionKind::kNormal:
      if (!(why = Need(finite(mean), "mean", "must be a finite number")).empty()) return why;
      return Need(finite(sd) && sd > 0, "sd", fmt::format("must be > 0, got {}", sd));
    case DistributionKind::kStudentT:
      if (!(why = Need(finite(mean), "mean", "must be a finite number")).empty()) return why;
      if (!(why = Need(finite(scale) && scale > 0, "scale",
                       fmt::format("must be > 0, got {}", scale)))
               .empty()) {
        return why;
      }
      return Need(dof > 0 && std::isfinite(dof), "dof",
                  fmt::format("must be finite and > 0 (use normal for infinite dof), got {}", dof));
    case DistributionKind::kRectangular:
    case DistributionKind::kArcsine:
      if (!(why = Need(finite(low), "low", "must be a finite number")).empty()) return why;
      if (!(why = Need(finite(high), "high", "must be a finite number")).empty()) return why;
      return Need(low < high, "high",
                  fmt::format("low must be < high, got low {} and high {}", low, high));
    case DistributionKind::kTriangular:
      if (!(why = Need(finite(low) && finite(mode) && finite(high), "mode",
                       "low, mode and high must be finite numbers"))
               .empty()) {
        return why;
      }
      if (!(why = Need(low < high, "high",
                       fmt::format("low must be < high, got low {} and high {}", low, high)))
               .empty()) {
        return why;
      }
      return Need(low <= mode && mode <= high, "mode",
                  fmt::format("must lie in [low, high] = [{}, {}], got {}", low, high, mode));
    case DistributionKind::kTrapezoidal:
      if (!(why = Need(finite(low), "low", "must be a finite number")).empty()) return why;
      if (!(why = Need(finite(high), "high", "must be a finite number")).empty()) return why;
      if (!(why = Need(low < high, "high",
                       fmt::format("low must be < high, got low {} and high {}", low, high)))
               .empty()) {
        return why;
      }
      return Need(beta >= 0 && beta <= 1, "beta", fmt::format("must lie in [0, 1], got {}", beta));
    case DistributionKind::kLognormal:
      if (!(why = Need(finite(meanlog), "meanlog", "must be a finite number")).empty()) return why;
      return Need(finite(sdlog) && sdlog > 0, "sdlog", fmt::format("must be > 0, got {}", sdlog));
    case DistributionKind::kGamma:
      if (!(why = Need(finite(shape) && shape > 0, "shape",
                       fmt::format("must be > 0, got {}", shape)))
               .empty()) {
        return why;
      }
      return Need(finite(scale) && scale > 0, "scale", fmt::format("must be > 0, got {}", scale));
    case DistributionKind::kExponential:
      return Need(finite(mean) && mean > 0, "mean", fmt::format("must be > 0, got {}", mean));
    case DistributionKind::kPoisson:
      return Need(finite(mean) && mean >= 0 && mean < 1e15, "mean",
                  fmt::format("must be >= 0 (and < 1e15), got {}", mean));
    case DistributionKind::kBinomial:
      if (!(why = Need(finite(n) && n >= 1 && n == std::floor(n) && n < 9e15, "n",
                       fmt::format("must be a whole number >= 1, got {}", n)))
               .empty()) {
        return why;
      }
      return Need(p >= 0 && p <= 1, "p", fmt::format("must lie in [0, 1], got {}", p));
    case DistributionKind::kConstant:
      return Need(finite(value), "value", "must be a finite number");
  }
  return "dist: unknown distribution";
}

double Distribution::Expectation() const {
  switch (kind) {
    case DistributionKind::kNormal:
    case DistributionKind::kStudentT:
    case DistributionKind::kExponential:
    case DistributionKind::kPoisson:
      return mean;
    case DistributionKind::kRectangular:
    case DistributionKind::kArcsine:
    case DistributionKind::kTrapezoidal:
      return 0.5 * (low + high);
    case DistributionKind::kTriangular:
      return (low + mode + high) / 3;
    case DistributionKind::kLognormal:
      return std::exp(meanlog + 0.5 * sdlog * sdlog);
    case DistributionKind::kGamma:
      return shape * scale;
    case DistributionKind::kBinomial:
      return n * p;
    case DistributionKind::kConstant:
      return value;
  }
  return std::nan("");
}

double Distribution::StandardDeviation() const {
  const double width = high - low;
  switch (kind) {
    case DistributionKind::kNormal:
      return sd;
    case DistributionKind::kStudentT:
      return dof > 2 ? scale * std::sqrt(dof / (dof - 2)) : std::numeric_limits<double>::infinity();
    case DistributionKind::kRectangular:
      return width / std::sqrt(12.0);
    case DistributionKind::kArcsine:
      return width / std::sqrt(8.0);
    case DistributionKind::kTrapezoidal:
      return width * std::sqrt((1 + beta * beta) / 24);
    case DistributionKind::kTriangular:
      return std::sqrt((low * low + mode * mode + high * high - low * mode - low * high -
                        mode * high) /
                       18);
    case DistributionKind::kLognormal:
      return std::sqrt(std::expm1(sdlog * sdlog)) * Expectation();
    case DistributionKind::kGamma:
      return std::sqrt(shape) * scale;
    case DistributionKind::kExponential:
      return mean;
    case DistributionKind::kPoisson:
      return std::sqrt(mean);
    case DistributionKind::kBinomial:
      return std::sqrt(n * p * (1 - p));
    case DistributionKind::kConstant:
      return 0;
  }
  return std::nan("");
}

double Distribution::GumStandardUncertainty() const {
  return kind == DistributionKind::kStudentT ? scale : StandardDeviation();
}

double Distribution::GumDof() const {
  return kind == DistributionKind::kStudentT ? dof : std::numeric_limits<double>::infinity();
}

double Distribution::Quantile(double u) const {
  const double width = high - low;
  switch (kind) {
    case DistributionKind::kNormal:
      return mean + sd * StandardNormalQuantile(u);
    case DistributionKind::kStudentT:
      return mean + scale * boost::math::quantile(boost::math::students_t_distribution<>(dof), u);
    case DistributionKind::kRectangular:
      return low + width * u;
    case DistributionKind::kArcsine: {
      const double s = std::sin(0.5 * std::numbers::pi * u);
      return low + width * s * s;
    }
    case DistributionKind::kTriangular: {
      const double at_mode = (mode - low) / width;
      return u < at_mode ? low + std::sqrt(u * width * (mode - low))
                         : high - std::sqrt((1 - u) * width * (high - mode));
    }
    case DistributionKind::kTrapezoidal: {
      // Density height 1 / (h (1 + beta)) on the top, ramps of width h (1 - beta) either side,
      // with h the half-width of the base.
      const double h = 0.5 * width;
      const double ramp = h * (1 - beta);
      const double height = 1 / (h * (1 + beta));
      const double ramp_mass = 0.5 * height * ramp;
      if (u < ramp_mass) return low + std::sqrt(2 * ramp * u / height);
      if (u <= 1 - ramp_mass) return low + ramp + (u - ramp_mass) / height;
      return high - std::sqrt(2 * ramp * (1 - u) / height);
    }
    case DistributionKind::kLognormal:
      return std::exp(meanlog + sdlog * StandardNormalQuantile(u));
    case DistributionKind::kGamma:
      return scale * boost::math::gamma_p_inv(shape, u);
    case DistributionKind::kExponential:
      return -mean * std::log1p(-u);
    case DistributionKind::kConstant:
      return value;
    case DistributionKind::kPoisson:
    case DistributionKind::kBinomial:
      break;
  }
  return std::nan("");
}

double Distribution::QuantileOfNormal(double z) const {
  switch (kind) {
    case DistributionKind::kNormal:
      return mean + sd * z;
    case DistributionKind::kLognormal:
      return std::exp(meanlog + sdlog * z);
    default: {
      // Phi(z) loses relative precision in the upper tail; use the symmetric form there.
      if (z > 0) {
        const double tail = StandardNormalCdf(-z);
        if (tail <= 0) return Quantile(1 - 0x1.0p-53);
        return Quantile(1 - tail);
      }
      const double u = StandardNormalCdf(z);
      return Quantile(u > 0 ? u : 0x1.0p-1074);
    }
  }
}

void Distribution::Sample(Xoshiro256pp& rng, std::span<double> out) const {
  switch (kind) {
    case DistributionKind::kNormal:
      FillNormal(rng, out, mean, sd);
      return;
    case DistributionKind::kStudentT:
      FillStudentT(rng, out, mean, scale, dof);
      return;
    case DistributionKind::kRectangular:
      FillUniform(rng, out, low, high);
      return;
    case DistributionKind::kTrapezoidal: {
      // JCGM 101 6.4.4.4: X = a + (b - a)/2 [(1 + beta) r1 + (1 - beta) r2].
      const double half = 0.5 * (high - low);
      for (double& v : out) {
        const double r1 = Uniform01(rng);
        const double r2 = Uniform01(rng);
        v = low + half * ((1 + beta) * r1 + (1 - beta) * r2);
      }
      return;
    }
    case DistributionKind::kArcsine:
    case DistributionKind::kTriangular:
    case DistributionKind::kExponential:
      for (double& v : out) v = Quantile(UniformOpen01(rng));
      return;
    case DistributionKind::kLognormal:
      FillNormal(rng, out, meanlog, sdlog);
      for (double& v : out) v = std::exp(v);
      return;
    case DistributionKind::kGamma:
      for (double& v : out) v = scale * StandardGamma(rng, shape);
      return;
    case DistributionKind::kPoisson:
      for (double& v : out) v = static_cast<double>(Poisson(rng, mean));
      return;
    case DistributionKind::kBinomial: {
      const auto trials = static_cast<std::uint64_t>(n);
      for (double& v : out) v = static_cast<double>(Binomial(rng, trials, p));
      return;
    }
    case DistributionKind::kConstant:
      for (double& v : out) v = value;
      return;
  }
}

}  // namespace keycomp::mc
