#include "core/mc/gum.h"

#include <fmt/format.h>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "core/mc/summary.h"

namespace keycomp::mc {

GumResult PropagateGum(const MeasurementModel& model, const CompiledModel& compiled,
                       double coverage) {
  GumResult out;
  const auto n_inputs = static_cast<Eigen::Index>(model.inputs.size());
  Eigen::VectorXd x(n_inputs), u(n_inputs);
  std::vector<Eigen::Index> random;
  for (Eigen::Index i = 0; i < n_inputs; ++i) {
    const Distribution& d = model.inputs[static_cast<std::size_t>(i)].distribution;
    x(i) = d.Expectation();
    u(i) = d.GumStandardUncertainty();
    if (!d.is_constant()) random.push_back(i);
  }
  // Points: x, then x -/+ h e_i and x -/+ 2h e_i for every random input.
  const auto n_random = static_cast<Eigen::Index>(random.size());
  Eigen::MatrixXd points = x.transpose().replicate(1 + 4 * n_random, 1);
  const double offsets[4] = {-2, -1, 1, 2};
  for (Eigen::Index j = 0; j < n_random; ++j) {
    const Eigen::Index i = random[static_cast<std::size_t>(j)];
    const double h = u(i) / 100;
    for (int k = 0; k < 4; ++k) points(1 + 4 * j + k, i) += offsets[k] * h;
  }
  const Eigen::VectorXd f = EvaluateAt(compiled, points);
  out.value = f(0);
  if (!std::isfinite(out.value)) {
    out.status = Status::kFailed;
    out.message = "the model is not finite at the input estimates";
    return out;
  }

  Eigen::VectorXd cu(n_inputs);  // c_i u(x_i)
  cu.setZero();
  for (Eigen::Index j = 0; j < n_random; ++j) {
    const Eigen::Index i = random[static_cast<std::size_t>(j)];
    const ModelInput& input = model.inputs[static_cast<std::size_t>(i)];
    const double h = u(i) / 100;
    const Eigen::Index b = 1 + 4 * j;
    GumContribution c;
    c.input = input.name;
    c.estimate = x(i);
    c.u = u(i);
    c.dof = input.gum_dof;
    c.sensitivity = (f(b) - 8 * f(b + 1) + 8 * f(b + 2) - f(b + 3)) / (12 * h);
    if (!std::isfinite(c.sensitivity)) {
      out.status = Status::kFailed;
      out.message = fmt::format("the model is not finite near the estimate of '{}'", input.name);
      return out;
    }
    c.contribution = std::abs(c.sensitivity) * c.u;
    cu(i) = c.sensitivity * c.u;
    out.contributions.push_back(c);
  }
  const Eigen::MatrixXd r = model.CorrelationMatrix();
  const double variance = cu.dot(r * cu);
  out.u = std::sqrt(std::max(variance, 0.0));

  // Welch-Satterthwaite.
  double denominator = 0;
  bool correlated_finite_dof = false;
  for (const GumContribution& c : out.contributions) {
    if (std::isfinite(c.dof)) denominator += std::pow(c.contribution, 4) / c.dof;
  }
  for (const InputCorrelation& ic : model.correlations) {
    for (const std::string& name : {ic.a, ic.b}) {
      correlated_finite_dof |=
          ic.r != 0 && std::isfinite(model.inputs[model.IndexOf(name)].gum_dof);
    }
  }
  if (correlated_finite_dof) {
    out.warnings.push_back(
        "Welch-Satterthwaite assumes uncorrelated inputs; some correlated inputs have finite "
        "degrees of freedom");
  }
  out.dof_effective = denominator > 0 ? std::pow(out.u, 4) / denominator
                                      : std::numeric_limits<double>::infinity();
  const double tail = 0.5 * (1 + coverage);
  if (std::isfinite(out.dof_effective)) {
    const double nu = std::max(1.0, std::floor(out.dof_effective));
    out.coverage_factor = boost::math::quantile(boost::math::students_t_distribution<>(nu), tail);
  } else {
    out.coverage_factor = boost::math::quantile(boost::math::normal_distribution<>(), tail);
  }
  out.low = out.value - out.coverage_factor * out.u;
  out.high = out.value + out.coverage_factor * out.u;
  out.status = Status::kOk;
  return out;
}

GumValidation ValidateGum(const GumResult& gum, double mc_u, double mc_low, double mc_high,
                          int digits) {
  GumValidation v;
  v.digits = digits;
  v.interval = "shortest";
  v.tolerance = NumericalTolerance(mc_u, digits);
  v.d_low = std::abs(gum.low - mc_low);
  v.d_high = std::abs(gum.high - mc_high);
  v.agrees = gum.status == Status::kOk && v.d_low <= v.tolerance && v.d_high <= v.tolerance;
  return v;
}

}  // namespace keycomp::mc
