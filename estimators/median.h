// The median of the included results (the point estimate of Cox's Procedure B).
//
// M. G. Cox, "The evaluation of key comparison data", Metrologia 39 (2002) 589-595.
// u = 1.253 MADe / sqrt(n): ISO Guide 35:2017, formula (B.26), with
// MADe = 1.4826 median|x_i - median(x)|; 1.253 = sqrt(pi/2) is the large-sample efficiency of
// the median for normal data. The median is not linear in the results, so the analytic DoE
// neglects its covariance with each lab; cox_procedure_b and --mc carry it.
#pragma once

#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// The median, with u = 1.253 MADe / sqrt(n).
EstimatorResult EstimateMedian(const LabSample& sample, const EstimatorOptions& options);

/// The KCRV alone, without allocation (the Monte Carlo fast path; see core/estimator.h).
double MedianPoint(const LabSample& sample, const EstimatorOptions& options,
            std::vector<double>& workspace);

inline constexpr EstimatorInfo kMedianInfo{
    "median", "median of the results; u = 1.253 MADe/sqrt(n)",
    "Cox, Metrologia 39 (2002) 589; ISO Guide 35:2017 (B.26)", 3, false, "robust"};

}  // namespace keycomp
