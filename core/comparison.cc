#include "core/comparison.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/input_error.h"

namespace keycomp {

Comparison Comparison::Create(std::string source, ComparisonInfo info,
                              std::vector<LabResult> results,
                              std::vector<Correlation> correlations) {
  Comparison c;
  c.source_ = std::move(source);
  c.info_ = std::move(info);
  c.results_ = std::move(results);
  c.correlations_ = std::move(correlations);
  c.Validate();
  for (std::size_t i = 0; i < c.results_.size(); ++i) {
    if (c.results_[i].included) c.included_.push_back(i);
  }
  c.BuildCorrelationMatrix();
  return c;
}

Comparison Comparison::WithCorrelations(std::vector<Correlation> correlations) const {
  std::vector<Correlation> all = correlations_;
  all.insert(all.end(), correlations.begin(), correlations.end());
  return Create(source_, info_, results_, std::move(all));
}

Comparison Comparison::WithExcluded(const std::vector<std::string>& labs) const {
  std::vector<LabResult> results = results_;
  for (const auto& name : labs) {
    const std::size_t i = IndexOf(name);
    if (i == size()) {
      throw InputError(source_, 0, "exclude", fmt::format("unknown lab '{}'", name));
    }
    results[i].included = false;
  }
  return Create(source_, info_, std::move(results), correlations_);
}

std::size_t Comparison::IndexOf(const std::string& lab) const {
  for (std::size_t i = 0; i < results_.size(); ++i) {
    if (results_[i].lab == lab) return i;
  }
  return results_.size();
}

void Comparison::Validate() const {
  if (results_.empty()) throw InputError(source_, 0, "", "no results");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < results_.size(); ++i) {
    const LabResult& r = results_[i];
    const std::size_t line = r.source_line;
    if (r.lab.empty()) throw InputError(source_, line, "lab", "empty lab name");
    if (!seen.insert(r.lab).second) {
      throw InputError(source_, line, "lab", fmt::format("duplicate lab '{}'", r.lab));
    }
    if (!std::isfinite(r.value)) {
      throw InputError(source_, line, "value", fmt::format("lab '{}': value is not finite", r.lab));
    }
    if (!std::isfinite(r.u)) {
      throw InputError(source_, line, "u", fmt::format("lab '{}': u is not finite", r.lab));
    }
    if (!(r.u > 0)) {
      throw InputError(source_, line, "u",
                       fmt::format("lab '{}': u must be > 0, got {}", r.lab, r.u));
    }
    if (std::isnan(r.dof) || !(r.dof > 0)) {
      throw InputError(source_, line, "dof",
                       fmt::format("lab '{}': dof must be > 0 (or inf), got {}", r.lab, r.dof));
    }
  }
  std::set<std::pair<std::string, std::string>> pairs;
  for (const Correlation& c : correlations_) {
    const std::size_t line = c.source_line;
    const std::string& file = c.source_file.empty() ? source_ : c.source_file;
    if (!std::isfinite(c.r) || c.r < -1 || c.r > 1) {
      throw InputError(
          file, line, "r",
          fmt::format("correlation {}-{} must lie in [-1, 1], got {}", c.lab_a, c.lab_b, c.r));
    }
    for (const std::string* lab : {&c.lab_a, &c.lab_b}) {
      if (seen.count(*lab) == 0) {
        throw InputError(file, line, lab == &c.lab_a ? "a" : "b",
                         fmt::format("correlation names unknown lab '{}'", *lab));
      }
    }
    if (c.lab_a == c.lab_b) {
      throw InputError(file, line, "b",
                       fmt::format("correlation of lab '{}' with itself", c.lab_a));
    }
    auto key = std::minmax(c.lab_a, c.lab_b);
    if (!pairs.insert({key.first, key.second}).second) {
      throw InputError(file, line, "r",
                       fmt::format("correlation {}-{} given twice", c.lab_a, c.lab_b));
    }
  }
}

void Comparison::BuildCorrelationMatrix() {
  const auto n = static_cast<Eigen::Index>(results_.size());
  correlation_ = Eigen::MatrixXd::Identity(n, n);
  for (const Correlation& c : correlations_) {
    const auto a = static_cast<Eigen::Index>(IndexOf(c.lab_a));
    const auto b = static_cast<Eigen::Index>(IndexOf(c.lab_b));
    correlation_(a, b) = c.r;
    correlation_(b, a) = c.r;
  }
  if (correlations_.empty()) return;
  // Positive semi-definite check: the smallest eigenvalue of the correlation matrix may not be
  // negative beyond rounding. The message names the file(s) the correlations came from and the
  // labs that carry the offending eigenvector, where the user has to look.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(correlation_);
  Eigen::Index lowest = 0;
  const double smallest = eig.eigenvalues().minCoeff(&lowest);
  if (smallest < -1e-12 * static_cast<double>(n)) {
    std::vector<std::string> files;
    for (const Correlation& c : correlations_) {
      const std::string& file = c.source_file.empty() ? source_ : c.source_file;
      if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
    }
    const Eigen::VectorXd v = eig.eigenvectors().col(lowest);
    const double largest = v.cwiseAbs().maxCoeff();
    std::vector<std::string> labs;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (std::abs(v(i)) >= 0.3 * largest)
        labs.push_back(results_[static_cast<std::size_t>(i)].lab);
    }
    throw InputError(fmt::format("{}", fmt::join(files, " and ")), 0, "correlations",
                     fmt::format("correlation matrix is not positive semi-definite (smallest "
                                 "eigenvalue {:.3g}, among labs {})",
                                 smallest, fmt::join(labs, ", ")));
  }
}

Eigen::MatrixXd Comparison::Covariance() const {
  const auto n = static_cast<Eigen::Index>(results_.size());
  Eigen::VectorXd u(n);
  for (Eigen::Index i = 0; i < n; ++i) u(i) = results_[static_cast<std::size_t>(i)].u;
  return u.asDiagonal() * correlation_ * u.asDiagonal();
}

Eigen::MatrixXd Comparison::CorrelationOf(const std::vector<std::size_t>& indices) const {
  const auto m = static_cast<Eigen::Index>(indices.size());
  Eigen::MatrixXd r(m, m);
  for (Eigen::Index a = 0; a < m; ++a) {
    for (Eigen::Index b = 0; b < m; ++b) {
      r(a, b) = correlation_(static_cast<Eigen::Index>(indices[static_cast<std::size_t>(a)]),
                             static_cast<Eigen::Index>(indices[static_cast<std::size_t>(b)]));
    }
  }
  return r;
}

}  // namespace keycomp
