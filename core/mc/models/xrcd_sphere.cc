#include "core/mc/models/xrcd_sphere.h"

namespace keycomp::mc {

void EvaluateXrcdSphere(const RoleBuffers& roles, std::size_t n, double* out) {
  const double* volume = roles[0][0];
  const double* lattice = roles[1][0];
  const double* molar_mass = roles[2][0];
  const double* surface_layer = roles[3][0];
  const bool has_deficit = !roles[4].empty();
  for (std::size_t t = 0; t < n; ++t) {
    const double a = lattice[t];
    const double core = 8 * molar_mass[t] * volume[t] / (kAvogadro * a * a * a);
    out[t] = core + surface_layer[t] - (has_deficit ? roles[4][0][t] : 0.0);
  }
}

}  // namespace keycomp::mc
