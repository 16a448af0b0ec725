#include "core/estimator.h"

namespace keycomp {

Eigen::MatrixXd LabSample::Covariance() const {
  const auto n = static_cast<Eigen::Index>(size());
  const Eigen::Map<const Eigen::VectorXd> uv(u.data(), n);
  if (correlation == nullptr) return uv.array().square().matrix().asDiagonal();
  return uv.asDiagonal() * (*correlation) * uv.asDiagonal();
}

double LabSample::CombinationVariance(const Eigen::VectorXd& a) const {
  const auto n = static_cast<Eigen::Index>(size());
  const Eigen::Map<const Eigen::VectorXd> uv(u.data(), n);
  const Eigen::VectorXd au = a.cwiseProduct(uv);
  if (correlation == nullptr) return au.squaredNorm();
  return au.dot(*correlation * au);
}

}  // namespace keycomp
