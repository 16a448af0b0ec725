#include "core/mc/models/rt_dpcr.h"

#include <cmath>

namespace keycomp::mc {

void EvaluateRtDpcr(const RoleBuffers& roles, std::size_t n, double* out) {
  const double* positives = roles[0][0];
  const double* partitions = roles[1][0];
  const double* volume_nl = roles[2][0];
  for (std::size_t t = 0; t < n; ++t) {
    // -log1p(-k/n) keeps full precision when k << n; k = n gives +inf, which the engine
    // reports as a non-finite trial.
    const double copies_per_partition = -std::log1p(-positives[t] / partitions[t]);
    const double dilution = RoleProduct(roles[3], t);
    const double efficiency = RoleProduct(roles[4], t);
    out[t] = copies_per_partition / (volume_nl[t] * 1e-3) * dilution / efficiency;
  }
}

}  // namespace keycomp::mc
