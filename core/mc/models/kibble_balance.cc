#include "core/mc/models/kibble_balance.h"

namespace keycomp::mc {

void EvaluateKibbleBalance(const RoleBuffers& roles, std::size_t n, double* out) {
  const double* voltage = roles[0][0];
  const double* current = roles[1][0];
  const double* gravity = roles[2][0];
  const double* velocity = roles[3][0];
  for (std::size_t t = 0; t < n; ++t) {
    out[t] = voltage[t] * current[t] / (gravity[t] * velocity[t]);
  }
}

}  // namespace keycomp::mc
