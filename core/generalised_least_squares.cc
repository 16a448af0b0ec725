#include "core/generalised_least_squares.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace keycomp {

std::optional<Eigen::LDLT<Eigen::MatrixXd>> FactoriseCovariance(const Eigen::MatrixXd& v) {
  Eigen::LDLT<Eigen::MatrixXd> ldlt(v);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) return std::nullopt;
  const Eigen::VectorXd d = ldlt.vectorD();
  const double largest = d.maxCoeff();
  if (!(d.minCoeff() >
        largest * static_cast<double>(v.rows()) * std::numeric_limits<double>::epsilon())) {
    return std::nullopt;
  }
  return ldlt;
}

std::optional<double> InverseQuadraticForm(const Eigen::MatrixXd& v, const Eigen::VectorXd& r) {
  const auto ldlt = FactoriseCovariance(v);
  if (!ldlt) return std::nullopt;
  Eigen::VectorXd z = ldlt->solve(r);
  z += ldlt->solve(r - v * z);
  return std::max(0.0, r.dot(z));
}

std::optional<GlsSolution> SolveGls(const LabSample& sample) {
  const auto n = static_cast<Eigen::Index>(sample.size());
  const Eigen::MatrixXd v = sample.Covariance();
  const auto factorised = FactoriseCovariance(v);
  if (!factorised) return std::nullopt;
  const Eigen::LDLT<Eigen::MatrixXd>& ldlt = *factorised;
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n);
  Eigen::VectorXd z = ldlt.solve(ones);
  z += ldlt.solve(ones - v * z);
  GlsSolution s;
  s.total = z.sum();
  if (!(s.total > 0)) return std::nullopt;
  s.weights = z / s.total;
  const Eigen::Map<const Eigen::VectorXd> x(sample.x.data(), n);
  s.value = s.weights.dot(x);
  s.value += s.weights.dot((x.array() - s.value).matrix()) / s.weights.sum();
  const Eigen::VectorXd r = (x.array() - s.value).matrix();
  Eigen::VectorXd vr = ldlt.solve(r);
  vr += ldlt.solve(r - v * vr);
  s.chi2 = std::max(0.0, r.dot(vr));
  return s;
}

}  // namespace keycomp
