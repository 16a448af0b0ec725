// X-ray crystal density (XRCD) mass of a silicon sphere. The core of the sphere is a perfect
// crystal with 8 atoms per cubic unit cell of edge a, so its mass is
//     m_core = 8 M V_core / (N_A a^3),
// and the sphere's mass adds the surface layer (oxide, water, carbonaceous contamination) and
// subtracts the mass deficit of point defects:
//     m = 8 M V_core / (N_A a^3) + m_SL - m_deficit
// with N_A = 6.02214076e23 /mol exactly (SI since 2019). (K. Fujii et al., Metrologia 53
// (2016) A19, eq. 1-2; G. Bartl et al., Metrologia 54 (2017) 693; CCM mise en pratique of the
// kilogram, Appendix 2.)
// Roles (SI units, m in kg): V_core (m^3), a (m), M (kg/mol), m_SL (kg),
// m_deficit (kg, optional, default 0).
#pragma once

#include "core/mc/models/builtin_models.h"

namespace keycomp::mc {

/// The Avogadro constant of the SI, exact.
inline constexpr double kAvogadro = 6.02214076e23;

void EvaluateXrcdSphere(const RoleBuffers& roles, std::size_t n, double* out);

}  // namespace keycomp::mc
