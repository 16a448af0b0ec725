// Algorithm A of ISO 13528: robust average and robust standard deviation of the results, by
// iterated winsorisation (Huber's M-estimator of location with iterated scale).
//
// ISO 13528:2015, Statistical methods for use in proficiency testing by interlaboratory
// comparison, Annex C.3.1, formulas (C.1)-(C.6) (carried over into ISO 13528:2022, Annex C),
// reproduced from ISO 5725-5:1998, 6.2; uncertainty of the assigned value: ISO 13528:2015
// 7.7.3, u(x*) = 1.25 s*/sqrt(p).
//
//   start:   x* = median(x_i),  s* = 1.483 median |x_i - x*|                  (C.1), (C.2)
//   repeat:  delta = 1.5 s*;  x_i* = x_i clipped to [x* - delta, x* + delta]  (C.3), (C.4)
//            x* = sum x_i* / p;  s* = 1.134 sqrt(sum (x_i* - x*)^2 / (p - 1))  (C.5), (C.6)
//
// Stopping rule. The standard stops "when there is no change from one iteration to the next in
// the third significant figure of the robust standard deviation and of the equivalent figure in
// the robust average". That rule depends on the unit the data are written in (it is not
// location-scale equivariant) and leaves an error of up to a unit in the third figure of s*.
// keycomp iterates instead to the fixed point at full double precision: it stops when an
// iteration changes neither x* nor s* by more than 4 eps s* (or returns to the values of two
// iterations before, a rounding cycle). Every iterate the standard's rule accepts agrees with
// this fixed point to the digits the rule keeps. The ISO 13528:2022 text itself was not
// available to the implementer; its Annex C is understood to keep the same formulas.
//
// Status::kFailed when s* starts at zero (more than half the values equal: the standard's
// algorithm is undefined); Status::kNotConverged after 10000 iterations.
// Not linear in the results: `weights` stays empty. Extra: `robust_sd` (s*).
#pragma once

#include "core/estimator.h"

namespace keycomp {

/// Robust average x* (ISO 13528 Algorithm A) with u = 1.25 s*/sqrt(n). No settings.
EstimatorResult EstimateAlgorithmA(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kAlgorithmAInfo{
    "algorithm_a",
    "ISO 13528 Algorithm A robust average, iterated to full precision; u = 1.25 s*/sqrt(n)",
    "ISO 13528:2015 (2022) Annex C.3.1, 7.7.3",
    3,
    false,
    "robust"};

}  // namespace keycomp
