#include "core/link.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/doe.h"
#include "core/input_error.h"
#include "core/read_comparison.h"
#include "core/text_fields.h"

namespace keycomp {

const char* ToString(LinkMethod method) {
  switch (method) {
    case LinkMethod::kWeightedMean:
      return "weighted_mean";
    case LinkMethod::kGls:
      return "gls";
  }
  return "?";
}

const char* ToString(LinkKind kind) {
  switch (kind) {
    case LinkKind::kAdditive:
      return "additive";
    case LinkKind::kMultiplicative:
      return "multiplicative";
  }
  return "?";
}

std::optional<LinkMethod> LinkMethodFromString(std::string_view text) {
  const std::string t = ToLower(Trim(text));
  if (t == "weighted_mean" || t == "delahaye_witt") return LinkMethod::kWeightedMean;
  if (t == "gls" || t == "elster_link_woeger") return LinkMethod::kGls;
  return std::nullopt;
}

std::optional<LinkKind> LinkKindFromString(std::string_view text) {
  const std::string t = ToLower(Trim(text));
  if (t == "additive") return LinkKind::kAdditive;
  if (t == "multiplicative") return LinkKind::kMultiplicative;
  return std::nullopt;
}

LinkReference ReferenceFromEstimator(const EstimatorResult& result, const Comparison& cipm,
                                     const std::string& estimator_name) {
  LinkReference ref;
  ref.value = result.value;
  ref.u = result.u;
  if (result.weights.size() == static_cast<Eigen::Index>(cipm.size())) ref.weights = result.weights;
  ref.origin = "estimator " + estimator_name;
  return ref;
}

LinkReference PublishedReference(double value, double u, const Comparison& cipm,
                                 bool weighted_mean_covariance) {
  if (!std::isfinite(value)) throw InputError("", 0, "--kcrv", "the KCRV must be a finite number");
  if (!std::isfinite(u) || u <= 0) {
    throw InputError("", 0, "--kcrv-u", "the KCRV's standard uncertainty must be finite and > 0");
  }
  LinkReference ref;
  ref.value = value;
  ref.u = u;
  ref.origin = "published (--kcrv)";
  if (weighted_mean_covariance) {
    ref.weights = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(cipm.size()));
    for (std::size_t k : cipm.included_indices()) {
      const double uk = cipm.results()[k].u;
      ref.weights(static_cast<Eigen::Index>(k)) = (u / uk) * (u / uk);
    }
  }
  return ref;
}

std::vector<LinkCorrelation> ReadLinkCorrelationsCsv(const std::string& path) {
  const std::string text = ReadTextFile(path);
  std::vector<LinkCorrelation> out;
  std::vector<std::string> header;
  std::optional<std::size_t> i_lab, i_r, i_common;
  std::istringstream in(text);
  std::string raw;
  std::size_t line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line = Trim(line.substr(3));
    if (line.empty() || line.front() == '#') continue;
    auto fields = SplitCsvRecord(line, {path, line_no, ""});
    if (header.empty()) {
      header = fields;
      for (std::size_t c = 0; c < fields.size(); ++c) {
        const std::string name = ToLower(Trim(fields[c]));
        if (name == "lab") i_lab = c;
        if (name == "r") i_r = c;
        if (name == "u_common") i_common = c;
      }
      if (!i_lab) throw InputError(path, line_no, "lab", "missing required column 'lab'");
      if (!i_r && !i_common) {
        throw InputError(path, line_no, "r", "needs a column 'r' or a column 'u_common'");
      }
      continue;
    }
    if (fields.size() != header.size()) {
      throw InputError(path, line_no, "",
                       fmt::format("expected {} fields, got {}", header.size(), fields.size()));
    }
    LinkCorrelation c;
    c.lab = std::string(Trim(fields[*i_lab]));
    c.source_file = path;
    c.source_line = line_no;
    if (c.lab.empty()) throw InputError(path, line_no, "lab", "empty lab name");
    if (i_r && !Trim(fields[*i_r]).empty()) {
      c.r = ParseFinite(fields[*i_r], {path, line_no, "r"});
    }
    if (i_common && !Trim(fields[*i_common]).empty()) {
      c.u_common = ParseFinite(fields[*i_common], {path, line_no, "u_common"});
    }
    if (c.r && c.u_common) {
      throw InputError(path, line_no, "r", "give either r or u_common for a lab, not both");
    }
    if (!c.r && !c.u_common) {
      throw InputError(path, line_no, i_r ? "r" : "u_common", "no value given");
    }
    out.push_back(std::move(c));
  }
  if (header.empty()) throw InputError(path, line_no, "", "no header line (lab,r or lab,u_common)");
  return out;
}

namespace {

// The augmented vector z = (RMO results, CIPM results, KCRV) and its covariance.
struct Layout {
  Eigen::Index n_rmo = 0;
  Eigen::Index n_cipm = 0;
  Eigen::Index Rmo(std::size_t i) const { return static_cast<Eigen::Index>(i); }
  Eigen::Index Cipm(std::size_t k) const { return n_rmo + static_cast<Eigen::Index>(k); }
  Eigen::Index Ref() const { return n_rmo + n_cipm; }
  Eigen::Index Size() const { return n_rmo + n_cipm + 1; }
  Eigen::VectorXd Unit(Eigen::Index i) const {
    Eigen::VectorXd e = Eigen::VectorXd::Zero(Size());
    e(i) = 1;
    return e;
  }
};

std::string PlaceOf(const LinkCorrelation& c) {
  return c.source_file.empty() ? std::string() : c.source_file;
}

// A quantity linear (or linearised) in z: its value and its gradient.
struct Linear {
  double value = 0;
  Eigen::VectorXd grad;
};

double Variance(const Eigen::MatrixXd& sigma, const Eigen::VectorXd& g) { return g.dot(sigma * g); }

double SafeSqrt(double v, double scale) {
  // Round-off can leave a tiny negative variance for a quantity that is exactly determined.
  if (v < 0 && v > -1e-12 * scale) return 0;
  return std::sqrt(v);
}

}  // namespace

LinkResult LinkComparisons(const Comparison& rmo, const Comparison& cipm,
                           const LinkReference& reference, const LinkOptions& options) {
  // ---- validate ------------------------------------------------------------------------
  if (!(options.coverage > 0 && options.coverage < 1)) {
    throw InputError("", 0, "--coverage", "the coverage probability must lie in (0, 1)");
  }
  if (!std::isfinite(reference.value) || !std::isfinite(reference.u) || reference.u <= 0) {
    throw InputError(
        cipm.source(), 0, "kcrv",
        "the CIPM reference value needs a finite value and a standard uncertainty > 0");
  }
  if (reference.weights.size() != 0 &&
      reference.weights.size() != static_cast<Eigen::Index>(cipm.size())) {
    throw std::invalid_argument("LinkComparisons: reference weights do not match the CIPM labs");
  }
  if (!(options.default_r >= -1 && options.default_r <= 1)) {
    throw InputError("", 0, "--link-correlation",
                     fmt::format("r = {} lies outside [-1, 1]", options.default_r));
  }
  if (options.linking_labs.empty()) {
    throw InputError("", 0, "--linking-labs",
                     "no linking lab given: name at least one lab that "
                     "took part in both comparisons");
  }
  std::vector<std::size_t> rmo_index, cipm_index;
  {
    std::set<std::string> seen;
    for (const std::string& lab : options.linking_labs) {
      if (!seen.insert(lab).second) {
        throw InputError("", 0, "--linking-labs", fmt::format("linking lab '{}' named twice", lab));
      }
      const std::size_t i = rmo.IndexOf(lab);
      if (i == rmo.size()) {
        throw InputError(
            rmo.source(), 0, "--linking-labs",
            fmt::format("linking lab '{}' is not a participant of the RMO comparison", lab));
      }
      const std::size_t k = cipm.IndexOf(lab);
      if (k == cipm.size()) {
        throw InputError(
            cipm.source(), 0, "--linking-labs",
            fmt::format("linking lab '{}' is not a participant of the CIPM comparison", lab));
      }
      rmo_index.push_back(i);
      cipm_index.push_back(k);
    }
  }
  const std::size_t n_link = options.linking_labs.size();

  // Cross-comparison covariance of each linking lab's two results.
  std::vector<double> r_link(n_link, options.default_r);
  {
    std::set<std::string> given;
    for (const LinkCorrelation& c : options.correlations) {
      const std::string field =
          c.r ? (c.source_file.empty() ? "--link-correlations" : "r") : "u_common";
      auto it = std::find(options.linking_labs.begin(), options.linking_labs.end(), c.lab);
      if (it == options.linking_labs.end()) {
        throw InputError(PlaceOf(c), c.source_line, "lab",
                         fmt::format("'{}' is not one of the linking labs", c.lab));
      }
      if (!given.insert(c.lab).second) {
        throw InputError(PlaceOf(c), c.source_line, "lab",
                         fmt::format("correlation for '{}' given twice", c.lab));
      }
      const std::size_t l = static_cast<std::size_t>(it - options.linking_labs.begin());
      const double ur = rmo.results()[rmo_index[l]].u;
      const double uc = cipm.results()[cipm_index[l]].u;
      if (c.r) {
        if (!(*c.r >= -1 && *c.r <= 1)) {
          throw InputError(PlaceOf(c), c.source_line, field,
                           fmt::format("r = {} for '{}' lies outside [-1, 1]", *c.r, c.lab));
        }
        r_link[l] = *c.r;
      } else {
        const double uc_common = *c.u_common;
        if (!(uc_common >= 0)) {
          throw InputError(PlaceOf(c), c.source_line, field,
                           fmt::format("u_common = {} for '{}' must be >= 0", uc_common, c.lab));
        }
        const double r = (uc_common / ur) * (uc_common / uc);
        if (r > 1 + 1e-12) {
          throw InputError(PlaceOf(c), c.source_line, field,
                           fmt::format("u_common = {} for '{}' exceeds sqrt(u_RMO u_CIPM) = {} "
                                       "(it would make r > 1)",
                                       uc_common, c.lab, std::sqrt(ur * uc)));
        }
        r_link[l] = std::min(r, 1.0);
      }
    }
  }

  // ---- covariance of z = (RMO, CIPM, KCRV) --------------------------------------------------
  Layout layout{static_cast<Eigen::Index>(rmo.size()), static_cast<Eigen::Index>(cipm.size())};
  Eigen::MatrixXd sigma = Eigen::MatrixXd::Zero(layout.Size(), layout.Size());
  sigma.topLeftCorner(layout.n_rmo, layout.n_rmo) = rmo.Covariance();
  sigma.block(layout.n_rmo, layout.n_rmo, layout.n_cipm, layout.n_cipm) = cipm.Covariance();
  for (std::size_t l = 0; l < n_link; ++l) {
    const double cov = r_link[l] * rmo.results()[rmo_index[l]].u * cipm.results()[cipm_index[l]].u;
    sigma(layout.Rmo(rmo_index[l]), layout.Cipm(cipm_index[l])) = cov;
    sigma(layout.Cipm(cipm_index[l]), layout.Rmo(rmo_index[l])) = cov;
  }
  LinkResult out;
  out.method = options.method;
  out.kind = options.kind;
  out.reference = reference;
  out.coverage = options.coverage;
  out.coverage_factor = DoeCoverageFactor(options.coverage);
  sigma(layout.Ref(), layout.Ref()) = reference.u * reference.u;
  if (reference.weights.size() > 0) {
    // cov(z_i, x_ref) = sum_m a_m cov(z_i, x_m^CIPM), for every element but the KCRV itself.
    const Eigen::VectorXd cov_ref =
        sigma.topLeftCorner(layout.Ref(), layout.Ref()).middleCols(layout.n_rmo, layout.n_cipm) *
        reference.weights;
    sigma.col(layout.Ref()).head(layout.Ref()) = cov_ref;
    sigma.row(layout.Ref()).head(layout.Ref()) = cov_ref.transpose();
  } else {
    out.warnings.push_back(
        "the KCRV's weights are unknown (non-linear estimator): its covariance with the CIPM "
        "results, and so with the link, is neglected");
  }
  const double scale2 = [&] {
    // A typical variance, for round-off thresholds.
    double s = reference.u * reference.u;
    for (Eigen::Index i = 0; i < layout.Ref(); ++i) s = std::max(s, sigma(i, i));
    return s;
  }();

  const auto rmo_value = [&](std::size_t i) { return rmo.results()[i].value; };
  const auto cipm_value = [&](std::size_t k) { return cipm.results()[k].value; };

  // ---- the linking labs' differences ----------------------------------------------------
  const bool additive = options.kind == LinkKind::kAdditive;
  std::vector<Linear> diffs(n_link);
  for (std::size_t l = 0; l < n_link; ++l) {
    const double xr = rmo_value(rmo_index[l]);
    const double xc = cipm_value(cipm_index[l]);
    Linear& d = diffs[l];
    d.grad = Eigen::VectorXd::Zero(layout.Size());
    if (additive) {
      d.value = xr - xc;
      d.grad(layout.Rmo(rmo_index[l])) = 1;
      d.grad(layout.Cipm(cipm_index[l])) = -1;
    } else {
      if (xc == 0 || xr == 0) {
        throw InputError(xc == 0 ? cipm.source() : rmo.source(), 0, "value",
                         fmt::format("a multiplicative link needs non-zero results; linking lab "
                                     "'{}' has a zero result",
                                     options.linking_labs[l]));
      }
      d.value = xr / xc;
      d.grad(layout.Rmo(rmo_index[l])) = 1 / xc;
      d.grad(layout.Cipm(cipm_index[l])) = -xr / (xc * xc);
    }
  }
  Eigen::MatrixXd grads(layout.Size(), static_cast<Eigen::Index>(n_link));
  for (std::size_t l = 0; l < n_link; ++l) grads.col(static_cast<Eigen::Index>(l)) = diffs[l].grad;
  const Eigen::MatrixXd s_matrix = grads.transpose() * sigma * grads;  // cov of the differences
  // The variance each difference would have if its two results were independent: never zero,
  // the yardstick for "numerically zero" and for round-off in the link's variances.
  const Eigen::VectorXd diag_sigma = sigma.diagonal();
  double independent_scale = 0;
  std::vector<double> independent(n_link);
  for (std::size_t l = 0; l < n_link; ++l) {
    independent[l] = diffs[l].grad.cwiseAbs2().dot(diag_sigma);
    independent_scale = std::max(independent_scale, independent[l]);
  }
  for (std::size_t l = 0; l < n_link; ++l) {
    const double v = s_matrix(static_cast<Eigen::Index>(l), static_cast<Eigen::Index>(l));
    if (n_link > 1 && !(v > 1e-12 * independent[l])) {
      throw InputError("", 0, "--link-correlation",
                       fmt::format("the difference of linking lab '{}' has zero uncertainty "
                                   "(r = 1 with equal uncertainties?): it cannot be weighted "
                                   "against the other linking labs",
                                   options.linking_labs[l]));
    }
  }
  // Scale of S for the factorisation (S / s_scale has a unit diagonal maximum).
  const double s_scale = std::max(s_matrix.diagonal().maxCoeff(), 1e-300);

  // ---- weights of the link ----------------------------------------------------------------
  Eigen::VectorXd w(static_cast<Eigen::Index>(n_link));
  const Eigen::MatrixXd s_scaled = s_matrix / s_scale;
  Eigen::LDLT<Eigen::MatrixXd> ldlt;
  if (n_link == 1) {
    w(0) = 1;
  } else if (options.method == LinkMethod::kWeightedMean) {
    for (Eigen::Index l = 0; l < w.size(); ++l) w(l) = 1 / s_scaled(l, l);
    w /= w.sum();
  } else {
    ldlt.compute(s_scaled);
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n_link));
    const Eigen::VectorXd s_inv_ones = ldlt.solve(ones);
    const double rcond = ldlt.rcond();
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || !(rcond > 1e-13) ||
        !(ones.dot(s_inv_ones) > 0)) {
      throw InputError("", 0, "--link-correlations",
                       "the covariance matrix of the linking labs' differences is singular or "
                       "not positive definite: the gls link cannot be formed");
    }
    w = s_inv_ones / ones.dot(s_inv_ones);
  }

  Linear link;
  link.value = 0;
  link.grad = Eigen::VectorXd::Zero(layout.Size());
  for (std::size_t l = 0; l < n_link; ++l) {
    link.value += w(static_cast<Eigen::Index>(l)) * diffs[l].value;
    link.grad += w(static_cast<Eigen::Index>(l)) * diffs[l].grad;
  }
  out.link = link.value;
  out.u_link = SafeSqrt(Variance(sigma, link.grad), independent_scale);
  const Eigen::VectorXd e_ref = layout.Unit(layout.Ref());
  out.cov_link_reference = link.grad.dot(sigma * e_ref);

  // ---- consistency -----------------------------------------------------------------------
  Eigen::VectorXd residuals(static_cast<Eigen::Index>(n_link));
  for (std::size_t l = 0; l < n_link; ++l) {
    residuals(static_cast<Eigen::Index>(l)) = diffs[l].value - link.value;
  }
  out.consistency.dof = static_cast<int>(n_link) - 1;
  if (n_link < 2) {
    out.consistency.note = "one linking lab: no consistency check";
  } else {
    if (options.method == LinkMethod::kGls) {
      out.consistency.chi2 = residuals.dot(ldlt.solve(residuals)) / s_scale;
      out.consistency.covariance = "full";
    } else {
      double chi2 = 0;
      for (Eigen::Index l = 0; l < residuals.size(); ++l) {
        chi2 += residuals(l) * residuals(l) / s_matrix(l, l);
      }
      out.consistency.chi2 = chi2;
      out.consistency.covariance = "diagonal";
      const Eigen::MatrixXd off = s_scaled - Eigen::MatrixXd(s_scaled.diagonal().asDiagonal());
      if (off.cwiseAbs().maxCoeff() > 1e-12) {
        out.consistency.note =
            "the differences are correlated; chi2 uses their variances only (the gls method "
            "uses the full covariance)";
      }
    }
    out.consistency.p_value =
        boost::math::gamma_q(0.5 * out.consistency.dof, 0.5 * out.consistency.chi2);
    out.consistency.birge_ratio = std::sqrt(out.consistency.chi2 / out.consistency.dof);
  }

  // ---- the linked results on the CIPM scale --------------------------------------------------
  // T(x_j) = x_j - Delta (additive) or x_j / rho (multiplicative), linearised.
  const auto on_cipm_scale = [&](std::size_t j) {
    Linear t;
    const double x = rmo_value(j);
    if (additive) {
      t.value = x - link.value;
      t.grad = layout.Unit(layout.Rmo(j)) - link.grad;
    } else {
      t.value = x / link.value;
      t.grad =
          layout.Unit(layout.Rmo(j)) / link.value - (x / (link.value * link.value)) * link.grad;
    }
    return t;
  };
  const double k = out.coverage_factor;

  for (std::size_t l = 0; l < n_link; ++l) {
    LinkingLab ll;
    ll.lab = options.linking_labs[l];
    ll.rmo_value = rmo_value(rmo_index[l]);
    ll.rmo_u = rmo.results()[rmo_index[l]].u;
    ll.cipm_value = cipm_value(cipm_index[l]);
    ll.cipm_u = cipm.results()[cipm_index[l]].u;
    ll.r = r_link[l];
    ll.difference = diffs[l].value;
    ll.u_difference = SafeSqrt(s_matrix(static_cast<Eigen::Index>(l), static_cast<Eigen::Index>(l)),
                               independent_scale);
    ll.weight = w(static_cast<Eigen::Index>(l));
    ll.residual = residuals(static_cast<Eigen::Index>(l));
    ll.u_residual = SafeSqrt(Variance(sigma, diffs[l].grad - link.grad), independent_scale);
    if (ll.u_residual > 0) ll.en = ll.residual / (k * ll.u_residual);
    const Eigen::VectorXd g = layout.Unit(layout.Cipm(cipm_index[l])) - e_ref;
    ll.cipm_d = ll.cipm_value - reference.value;
    ll.cipm_d_u = SafeSqrt(Variance(sigma, g), scale2);
    out.linking.push_back(std::move(ll));
  }

  std::vector<Eigen::VectorXd> doe_grads;
  for (std::size_t j = 0; j < rmo.size(); ++j) {
    const Linear t = on_cipm_scale(j);
    LinkedDoe d;
    d.lab = rmo.results()[j].lab;
    d.linking = std::find(rmo_index.begin(), rmo_index.end(), j) != rmo_index.end();
    d.value = rmo_value(j);
    d.u_value = rmo.results()[j].u;
    d.linked_value = t.value;
    d.d = t.value - reference.value;
    const Eigen::VectorXd g = t.grad - e_ref;
    d.u = SafeSqrt(Variance(sigma, g), scale2);
    d.expanded = k * d.u;
    d.low = d.d - d.expanded;
    d.high = d.d + d.expanded;
    d.en = d.d / d.expanded;
    out.doe.push_back(std::move(d));
    doe_grads.push_back(g);
  }
  const Eigen::Index n_doe = static_cast<Eigen::Index>(doe_grads.size());
  Eigen::MatrixXd g_doe(layout.Size(), n_doe);
  for (Eigen::Index j = 0; j < n_doe; ++j) g_doe.col(j) = doe_grads[static_cast<std::size_t>(j)];
  out.doe_covariance = g_doe.transpose() * sigma * g_doe;

  for (std::size_t a = 0; a < rmo.size(); ++a) {
    const Linear ta = on_cipm_scale(a);
    for (std::size_t b = a + 1; b < rmo.size(); ++b) {
      const Linear tb = on_cipm_scale(b);
      LinkedPairwise p{rmo.results()[a].lab, rmo.results()[b].lab, "rmo"};
      p.d = ta.value - tb.value;
      p.u = SafeSqrt(Variance(sigma, ta.grad - tb.grad), scale2);
      p.expanded = k * p.u;
      out.pairwise.push_back(std::move(p));
    }
  }
  for (std::size_t a = 0; a < rmo.size(); ++a) {
    const Linear ta = on_cipm_scale(a);
    for (std::size_t c = 0; c < cipm.size(); ++c) {
      LinkedPairwise p{rmo.results()[a].lab, cipm.results()[c].lab, "cipm"};
      p.d = ta.value - cipm_value(c);
      p.u = SafeSqrt(Variance(sigma, ta.grad - layout.Unit(layout.Cipm(c))), scale2);
      p.expanded = k * p.u;
      out.pairwise.push_back(std::move(p));
    }
  }

  out.status = Status::kOk;
  return out;
}

}  // namespace keycomp
