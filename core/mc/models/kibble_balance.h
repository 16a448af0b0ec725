// Kibble (watt) balance: in the weighing mode the coil current I balances the weight m g; in
// the moving mode the coil moving at velocity v induces the voltage U. With the same geometric
// factor in both modes, m g v = U I, hence
//     m = U I / (g v)
// (B. P. Kibble, Atomic Masses and Fundamental Constants 5 (1976) 545; I. A. Robinson and
// S. Schlamminger, Metrologia 53 (2016) A46, eq. 1). U and I are traceable to h through the
// Josephson and quantum Hall effects; their uncertainties enter as those of the inputs.
// Roles (SI units, m in kg): U (V), I (A), g (m/s^2), v (m/s).
#pragma once

#include "core/mc/models/builtin_models.h"

namespace keycomp::mc {

void EvaluateKibbleBalance(const RoleBuffers& roles, std::size_t n, double* out);

}  // namespace keycomp::mc
