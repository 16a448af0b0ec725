// The Gaussian random-effects log-likelihood profiled over mu, written in long double
// independently of the library, for the ml and reml tests.
#pragma once

#include <cmath>
#include <vector>

namespace re_test {

/// -1/2 sum [ln(u_i^2 + t) + (x_i - mu(t))^2/(u_i^2 + t)] (- 1/2 ln sum w_i(t) if restricted).
inline long double ProfileLogLikelihood(const std::vector<double>& x, const std::vector<double>& u,
                                        long double t, bool restricted) {
  long double sw = 0, swx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double w = 1.0L / ((long double)u[i] * u[i] + t);
    sw += w;
    swx += w * x[i];
  }
  const long double mu = swx / sw;
  long double l = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double v = (long double)u[i] * u[i] + t;
    l -= 0.5L * (std::log(v) + (x[i] - mu) * (x[i] - mu) / v);
  }
  if (restricted) l -= 0.5L * std::log(sw);
  return l;
}

}  // namespace re_test
