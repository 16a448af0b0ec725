// (RT-)dPCR copy-number concentration from partition counts.
//
// A partition is positive when it holds at least one copy; with copies Poisson-distributed
// over partitions, the mean number of copies per partition is lambda = -ln(1 - k/n) for k
// positive partitions among n (Bhat et al., Anal. Bioanal. Chem. 394 (2009) 457; Huggett et
// al., "The digital MIQE guidelines", Clin. Chem. 59 (2013) 892). The concentration in the
// original sample is
//     c = lambda / V * D / E,
// with V the partition volume (in nL; c is then in copies per uL after the factor 1000), D the
// product of the dilution factors (inputs named dilution*), and E the reverse-transcription
// efficiency for RNA targets (optional, default 1). The counting uncertainty enters through
// the distribution of k: binomial(n, k_observed/n) (parametric bootstrap of the count), whose
// first-order result is u(lambda) = sqrt(p / (n (1 - p))), p = k/n (Bhat 2009, eq. 4).
// Partition-volume dispersion and its calibration uncertainty enter through V.
#pragma once

#include "core/mc/models/builtin_models.h"

namespace keycomp::mc {

/// Roles: k, n, V, dilution* (optional), efficiency (optional).
void EvaluateRtDpcr(const RoleBuffers& roles, std::size_t n, double* out);

}  // namespace keycomp::mc
