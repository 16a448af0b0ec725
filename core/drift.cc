#include "core/drift.h"

#include <ceres/ceres.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "core/input_error.h"
#include "core/read_comparison.h"

namespace keycomp {

const char* ToString(DriftModelKind model) {
  switch (model) {
    case DriftModelKind::kLinear:
      return "linear";
    case DriftModelKind::kPiecewise:
      return "piecewise";
  }
  return "?";
}

std::optional<DriftModelKind> DriftModelKindFromString(std::string_view text) {
  if (text == "linear") return DriftModelKind::kLinear;
  if (text == "piecewise" || text == "piecewise_linear") return DriftModelKind::kPiecewise;
  return std::nullopt;
}

namespace {

// Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's algorithms).
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void CivilFromDays(long long z, long long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<long long>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

bool IsLeap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(long long y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool LooksLikeDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  }
  return true;
}

/// One weighted residual of the linear model: r = a' x - b (a and b already divided by u).
class LinearResidual final : public ceres::CostFunction {
 public:
  LinearResidual(Eigen::VectorXd row, double target) : row_(std::move(row)), target_(target) {
    set_num_residuals(1);
    mutable_parameter_block_sizes()->push_back(static_cast<int>(row_.size()));
  }

  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override {
    const Eigen::Map<const Eigen::VectorXd> x(parameters[0], row_.size());
    residuals[0] = row_.dot(x) - target_;
    if (jacobians != nullptr && jacobians[0] != nullptr) {
      Eigen::Map<Eigen::VectorXd>(jacobians[0], row_.size()) = row_;
    }
    return true;
  }

 private:
  Eigen::VectorXd row_;
  double target_;
};

/// Signed lengths of [t_ref, t] in each segment of the breakpoints (the basis of the drift).
void SegmentLengths(double t, double t_ref, const std::vector<double>& breakpoints, double* out) {
  const double lo = std::min(t, t_ref);
  const double hi = std::max(t, t_ref);
  const double sign = t >= t_ref ? 1.0 : -1.0;
  const std::size_t segments = breakpoints.size() + 1;
  for (std::size_t k = 0; k < segments; ++k) {
    const double start = k == 0 ? lo : std::max(lo, breakpoints[k - 1]);
    const double end = k == segments - 1 ? hi : std::min(hi, breakpoints[k]);
    out[k] = sign * std::max(0.0, end - start);
  }
}

std::string TimeText(double t, bool dates) { return FormatTime(t, dates); }

}  // namespace

TimeValue ParseTime(std::string_view text, const FieldPlace& place) {
  const std::string_view t = Trim(text);
  if (LooksLikeDate(t)) {
    auto num = [&](std::size_t pos, std::size_t len) {
      unsigned v = 0;
      for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + static_cast<unsigned>(t[i] - '0');
      return v;
    };
    const long long y = num(0, 4);
    const unsigned m = num(5, 2);
    const unsigned d = num(8, 2);
    if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
      throw InputError(place.file, place.line, place.field,
                       fmt::format("'{}' is not a valid date (yyyy-mm-dd)", t));
    }
    return {static_cast<double>(DaysFromCivil(y, m, d)), true};
  }
  if (t.empty()) {
    throw InputError(place.file, place.line, place.field, "missing time (yyyy-mm-dd or a number)");
  }
  FieldPlace number_place{place.file, place.line, place.field};
  return {ParseFinite(t, number_place), false};
}

std::string FormatTime(double t, bool is_date) {
  if (!is_date) return fmt::format("{}", t);
  long long y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(static_cast<long long>(std::llround(t)), y, m, d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

PilotData ParsePilotCsv(const std::string& text_in, const std::string& source) {
  std::string_view text = text_in;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  PilotData data;
  data.source = source;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  std::size_t col_t = 0, col_value = 0, col_u = 0, col_standard = 0;
  bool have_t = false, have_value = false, have_u = false, have_standard = false;
  std::string t_name = "t";
  bool first_time = true;

  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') {
      if (!line.empty() && header.empty()) {
        const std::string_view body = line.substr(1);
        const auto colon = body.find(':');
        if (colon != std::string_view::npos && ToLower(Trim(body.substr(0, colon))) == "unit") {
          data.unit = std::string(Trim(body.substr(colon + 1)));
        }
      }
      if (end == text.size()) break;
      continue;
    }
    const FieldPlace place{source, line_no, ""};
    if (header.empty()) {
      header = SplitCsvRecord(line, place);
      header_line = line_no;
      for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string lower = ToLower(Trim(header[c]));
        auto claim = [&](bool& have, std::size_t& col, const char* role) {
          if (have) {
            throw InputError(source, line_no, header[c],
                             fmt::format("column '{}' given twice", role));
          }
          have = true;
          col = c;
        };
        if (lower == "t" || lower == "time" || lower == "date") {
          claim(have_t, col_t, "t");
          t_name = header[c];
        } else if (lower == "value" || lower == "x") {
          claim(have_value, col_value, "value");
        } else if (header[c] == "u" || lower == "standard_uncertainty" || lower == "u_std") {
          claim(have_u, col_u, "u");
        } else if (lower == "standard" || lower == "artefact" || lower == "artifact") {
          claim(have_standard, col_standard, "standard");
        }
      }
      if (!have_t)
        throw InputError(source, line_no, "t", "missing required column 't' (or 'date')");
      if (!have_value)
        throw InputError(source, line_no, "value", "missing required column 'value'");
      if (!have_u) throw InputError(source, line_no, "u", "missing required column 'u'");
      if (end == text.size()) break;
      continue;
    }
    const std::vector<std::string> fields = SplitCsvRecord(line, place);
    if (fields.size() != header.size()) {
      throw InputError(source, line_no, "",
                       fmt::format("expected {} fields as in the header (line {}), got {}",
                                   header.size(), header_line, fields.size()));
    }
    PilotMeasurement m;
    m.source_line = line_no;
    const TimeValue time = ParseTime(fields[col_t], {source, line_no, t_name});
    if (first_time) {
      data.dates = time.is_date;
      first_time = false;
    } else if (time.is_date != data.dates) {
      throw InputError(source, line_no, t_name,
                       "mixes dates (yyyy-mm-dd) and plain numbers; give every time the same way");
    }
    m.t = time.t;
    m.value = ParseFinite(fields[col_value], {source, line_no, "value"});
    m.u = ParseFinite(fields[col_u], {source, line_no, "u"});
    if (!(m.u > 0))
      throw InputError(source, line_no, "u", fmt::format("u must be > 0, got {}", m.u));
    if (have_standard) m.standard = std::string(Trim(fields[col_standard]));
    data.measurements.push_back(std::move(m));
    if (end == text.size()) break;
  }
  if (header.empty()) throw InputError(source, 0, "", "no header line (t,value,u[,standard])");
  if (data.measurements.empty()) {
    throw InputError(source, header_line, "", "no pilot measurements after the header");
  }
  return data;
}

PilotData ReadPilotCsv(const std::string& path) { return ParsePilotCsv(ReadTextFile(path), path); }

std::string DriftOptions::Validate() const {
  if (model == DriftModelKind::kLinear && !breakpoints.empty()) {
    return "--breakpoints: breakpoints need --model piecewise";
  }
  if (model == DriftModelKind::kPiecewise && breakpoints.empty()) {
    return "--breakpoints: the piecewise model needs at least one breakpoint";
  }
  for (std::size_t k = 0; k < breakpoints.size(); ++k) {
    if (!std::isfinite(breakpoints[k])) return "--breakpoints: not a finite time";
    if (k > 0 && !(breakpoints[k] > breakpoints[k - 1])) {
      return fmt::format(
          "--breakpoints: breakpoints must increase strictly (breakpoint {} is not "
          "after breakpoint {})",
          k + 1, k);
    }
  }
  if (t_ref && !std::isfinite(*t_ref)) return "--t-ref: not a finite time";
  return "";
}

Eigen::VectorXd DriftFit::CorrectionGradient(double t, std::size_t standard) const {
  Eigen::VectorXd g = Eigen::VectorXd::Zero(values.size());
  const std::size_t first = n_offsets() + GroupOf(standard) * n_segments();
  SegmentLengths(t, t_ref, breakpoints, g.data() + first);
  return g;
}

DriftFit FitDrift(const PilotData& data, const DriftOptions& options) {
  const std::string& source = data.source;
  if (std::string why = options.Validate(); !why.empty()) {
    const auto colon = why.find(':');
    throw InputError("", 0, why.substr(0, colon), why.substr(colon + 2));
  }
  if (data.measurements.empty()) throw InputError(source, 0, "", "no pilot measurements");

  DriftFit fit;
  fit.model = options.model;
  fit.dates = data.dates;
  fit.separate_drift = options.separate_drift;
  fit.breakpoints = options.breakpoints;
  const auto& meas = data.measurements;
  const std::size_t n = meas.size();
  std::vector<std::size_t> standard_of(n);
  for (std::size_t k = 0; k < n; ++k) {
    auto it = std::find(fit.standards.begin(), fit.standards.end(), meas[k].standard);
    standard_of[k] = static_cast<std::size_t>(it - fit.standards.begin());
    if (it == fit.standards.end()) fit.standards.push_back(meas[k].standard);
  }
  auto by_time = [](const PilotMeasurement& a, const PilotMeasurement& b) { return a.t < b.t; };
  fit.t_min = std::min_element(meas.begin(), meas.end(), by_time)->t;
  fit.t_max = std::max_element(meas.begin(), meas.end(), by_time)->t;
  fit.t_ref = options.t_ref.value_or(fit.t_min);
  const bool dates = data.dates;
  const std::string span =
      fmt::format("{} to {}", TimeText(fit.t_min, dates), TimeText(fit.t_max, dates));
  for (double b : fit.breakpoints) {
    if (!(b > fit.t_min && b < fit.t_max)) {
      throw InputError(source, 0, "--breakpoints",
                       fmt::format("breakpoint {} is not strictly inside the pilot's measurements "
                                   "({})",
                                   TimeText(b, dates), span));
    }
  }
  if (!options.allow_extrapolation && (fit.t_ref < fit.t_min || fit.t_ref > fit.t_max)) {
    throw InputError(source, 0, "--t-ref",
                     fmt::format("reference time {} is outside the pilot's measurements ({}); "
                                 "the drift would be extrapolated (--allow-extrapolation "
                                 "accepts it)",
                                 TimeText(fit.t_ref, dates), span));
  }

  const std::size_t n_groups = options.separate_drift ? fit.standards.size() : 1;
  const std::size_t segments = fit.n_segments();
  const std::size_t p = fit.standards.size() + n_groups * segments;
  fit.n = n;
  if (n < p) {
    throw InputError(
        source, 0, "--model",
        fmt::format("too few pilot measurements for the {} drift model: {} "
                    "measurements, {} parameters ({} offsets, {} slopes)",
                    ToString(options.model), n, p, fit.standards.size(), n_groups * segments));
  }
  fit.dof = n - p;

  // Centred and scaled problem: t' = (t - t_ref) / T, y' = (y - ybar_s) / Y, u' = u / Y.
  const double time_scale = fit.t_max > fit.t_min ? fit.t_max - fit.t_min : 1.0;
  double sum_u2 = 0;
  for (const auto& m : meas) sum_u2 += m.u * m.u;
  const double value_scale = std::sqrt(sum_u2 / static_cast<double>(n));
  std::vector<double> centre(fit.standards.size(), 0.0), weight(fit.standards.size(), 0.0);
  for (std::size_t k = 0; k < n; ++k) {
    const double w = 1 / (meas[k].u * meas[k].u);
    centre[standard_of[k]] += w * meas[k].value;
    weight[standard_of[k]] += w;
  }
  for (std::size_t s = 0; s < centre.size(); ++s) centre[s] /= weight[s];
  std::vector<double> scaled_breakpoints;
  for (double b : fit.breakpoints) scaled_breakpoints.push_back((b - fit.t_ref) / time_scale);

  Eigen::MatrixXd design =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
  Eigen::VectorXd target(static_cast<Eigen::Index>(n));
  for (std::size_t k = 0; k < n; ++k) {
    const auto row = static_cast<Eigen::Index>(k);
    const double u = meas[k].u / value_scale;
    const std::size_t s = standard_of[k];
    design(row, static_cast<Eigen::Index>(s)) = 1;
    const std::size_t first = fit.standards.size() + (options.separate_drift ? s : 0) * segments;
    Eigen::VectorXd h(static_cast<Eigen::Index>(segments));
    SegmentLengths((meas[k].t - fit.t_ref) / time_scale, 0.0, scaled_breakpoints, h.data());
    design.block(row, static_cast<Eigen::Index>(first), 1, static_cast<Eigen::Index>(segments)) =
        h.transpose();
    design.row(row) /= u;
    target(row) = (meas[k].value - centre[s]) / value_scale / u;
  }

  // The data must determine every parameter (each standard at least once, each segment's slope
  // from measurements at two or more times).
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
  qr.setThreshold(1e-10);
  if (qr.rank() < static_cast<Eigen::Index>(p)) {
    std::string counts;
    for (std::size_t seg = 0; seg < segments; ++seg) {
      const double lo = seg == 0 ? fit.t_min : fit.breakpoints[seg - 1];
      const double hi = seg == segments - 1 ? fit.t_max : fit.breakpoints[seg];
      std::size_t count = 0;
      for (const auto& m : meas) count += (m.t >= lo && m.t <= hi) ? 1 : 0;
      counts += fmt::format("{}[{}, {}]: {}", counts.empty() ? "" : "; ", TimeText(lo, dates),
                            TimeText(hi, dates), count);
    }
    throw InputError(source, 0, "t",
                     fmt::format("the pilot measurements do not determine the {} drift model "
                                 "({} parameters, rank {}): every standard{} needs measurements "
                                 "at two or more times and every segment needs data (measurements "
                                 "per segment: {})",
                                 ToString(options.model), p, qr.rank(),
                                 options.separate_drift ? " (drifting separately)" : "", counts));
  }

  // Weighted least squares with Ceres. The model is linear: Levenberg-Marquardt with a huge
  // initial trust region takes Gauss-Newton steps and stops at double precision.
  Eigen::VectorXd x = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(p));
  ceres::Problem::Options problem_options;
  ceres::Problem problem(problem_options);
  for (std::size_t k = 0; k < n; ++k) {
    const auto row = static_cast<Eigen::Index>(k);
    problem.AddResidualBlock(new LinearResidual(design.row(row).transpose(), target(row)), nullptr,
                             x.data());
  }
  ceres::Solver::Options solver_options;
  solver_options.linear_solver_type = ceres::DENSE_QR;
  solver_options.minimizer_progress_to_stdout = false;
  solver_options.logging_type = ceres::SILENT;
  solver_options.function_tolerance = 1e-16;
  solver_options.gradient_tolerance = 1e-16;
  solver_options.parameter_tolerance = 1e-16;
  solver_options.initial_trust_region_radius = 1e16;
  solver_options.max_trust_region_radius = 1e32;
  solver_options.max_num_iterations = 100;
  solver_options.num_threads = 1;
  ceres::Solver::Summary summary;
  ceres::Solve(solver_options, &problem, &summary);
  fit.iterations = static_cast<int>(summary.iterations.size());
  fit.solver_report = summary.BriefReport();
  if (summary.termination_type != ceres::CONVERGENCE) {
    fit.status = Status::kNotConverged;
    fit.message = fmt::format("drift fit did not converge: {}", summary.message);
    return fit;
  }

  ceres::Covariance::Options covariance_options;
  covariance_options.algorithm_type = ceres::DENSE_SVD;
  covariance_options.num_threads = 1;
  ceres::Covariance covariance(covariance_options);
  const std::vector<std::pair<const double*, const double*>> blocks = {{x.data(), x.data()}};
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> scaled_covariance(
      static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p));
  if (!covariance.Compute(blocks, &problem) ||
      !covariance.GetCovarianceBlock(x.data(), x.data(), scaled_covariance.data())) {
    fit.status = Status::kFailed;
    fit.message = "the covariance of the drift parameters could not be computed (J'WJ singular)";
    return fit;
  }

  // Back to the physical units.
  const Eigen::VectorXd residuals = target - design * x;
  fit.chi2 = residuals.squaredNorm();
  for (std::size_t k = 0; k < n; ++k)
    fit.normalised_residuals.push_back(residuals(static_cast<Eigen::Index>(k)));
  if (fit.dof > 0) fit.birge_ratio = std::sqrt(fit.chi2 / static_cast<double>(fit.dof));
  Eigen::VectorXd scale(static_cast<Eigen::Index>(p));
  fit.values.resize(static_cast<Eigen::Index>(p));
  for (std::size_t j = 0; j < p; ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    const bool slope = j >= fit.standards.size();
    scale(jj) = slope ? value_scale / time_scale : value_scale;
    fit.values(jj) = slope ? scale(jj) * x(jj) : centre[j] + value_scale * x(jj);
  }
  fit.covariance = scale.asDiagonal() * Eigen::MatrixXd(scaled_covariance) * scale.asDiagonal();
  if (options.scale_by_birge) {
    if (fit.dof == 0) {
      throw InputError(source, 0, "--scale-by-birge",
                       "the fit has no degrees of freedom left: no Birge ratio to scale by");
    }
    if (fit.birge_ratio > 1) {
      fit.covariance *= fit.birge_ratio * fit.birge_ratio;
      fit.covariance_scaled = true;
    }
  }

  const bool one_standard = fit.standards.size() == 1 && fit.standards[0].empty();
  for (std::size_t j = 0; j < p; ++j) {
    DriftParameter par;
    const auto jj = static_cast<Eigen::Index>(j);
    par.value = fit.values(jj);
    par.u = std::sqrt(fit.covariance(jj, jj));
    if (j < fit.standards.size()) {
      par.standard = fit.standards[j];
      par.name = one_standard ? "offset" : fmt::format("offset[{}]", par.standard);
    } else {
      const std::size_t group = (j - fit.standards.size()) / segments;
      par.is_slope = true;
      par.segment = (j - fit.standards.size()) % segments;
      par.standard = options.separate_drift ? fit.standards[group] : "";
      par.name = "slope";
      if (!par.standard.empty()) par.name += fmt::format("[{}]", par.standard);
      if (segments > 1) par.name += fmt::format("[{}]", par.segment + 1);
    }
    fit.parameters.push_back(std::move(par));
  }
  fit.status = Status::kOk;
  fit.message = fmt::format("converged in {} iterations", fit.iterations);
  return fit;
}

DriftCorrectedComparison ApplyDrift(const Comparison& comparison, const DriftFit& fit,
                                    const PilotData& pilot, const DriftOptions& options) {
  const std::string& source = comparison.source();
  const std::string& unit = comparison.info().unit;
  if (!pilot.unit.empty() && !unit.empty() && pilot.unit != unit) {
    throw InputError(
        pilot.source, 0, "unit",
        fmt::format("the pilot's unit '{}' differs from the comparison's '{}'", pilot.unit, unit));
  }
  for (const auto& [key, value] : comparison.info().extra) {
    if (ToLower(key) == "drift_corrected") {
      throw InputError(source, 0, key,
                       fmt::format("the comparison is already drift-corrected ({})", value));
    }
  }
  const bool need_standard = fit.separate_drift && fit.standards.size() > 1;
  const std::size_t n = comparison.size();
  const auto p = fit.values.size();
  Eigen::MatrixXd gradients(static_cast<Eigen::Index>(n), p);
  std::vector<LabDriftCorrection> labs;
  for (std::size_t i = 0; i < n; ++i) {
    const LabResult& r = comparison.results()[i];
    auto place_field = [&](const std::string& field) {
      return r.source_line > 0 ? field : fmt::format("results[{}] (lab '{}').{}", i, r.lab, field);
    };
    const std::string* time_text = nullptr;
    std::string time_field;
    const std::string* standard_text = nullptr;
    for (const auto& [key, value] : r.attributes) {
      const std::string lower = ToLower(key);
      if ((lower == "t" || lower == "date" || lower == "time") && time_text == nullptr) {
        time_text = &value;
        time_field = key;
      }
      if (lower == "standard" || lower == "artefact" || lower == "artifact") standard_text = &value;
    }
    if (time_text == nullptr) {
      throw InputError(source, r.source_line, place_field("t"),
                       fmt::format("lab '{}': no measurement time (a column 't' or 'date') to "
                                   "correct the drift at",
                                   r.lab));
    }
    const TimeValue time = ParseTime(*time_text, {source, r.source_line, place_field(time_field)});
    if (time.is_date != fit.dates) {
      throw InputError(
          source, r.source_line, place_field(time_field),
          fmt::format("lab '{}': the time is {} but the pilot's times are {}", r.lab,
                      time.is_date ? "a date" : "a number", fit.dates ? "dates" : "numbers"));
    }
    if (!options.allow_extrapolation && (time.t < fit.t_min || time.t > fit.t_max)) {
      throw InputError(source, r.source_line, place_field(time_field),
                       fmt::format("lab '{}': time {} is outside the pilot's measurements ({} "
                                   "to {}); the drift would be extrapolated "
                                   "(--allow-extrapolation accepts it)",
                                   r.lab, Trim(*time_text), FormatTime(fit.t_min, fit.dates),
                                   FormatTime(fit.t_max, fit.dates)));
    }
    std::size_t standard = 0;
    if (need_standard) {
      if (standard_text == nullptr) {
        throw InputError(source, r.source_line, place_field("standard"),
                         fmt::format("lab '{}': the standards drift separately; give the "
                                     "standard the lab measured (column 'standard')",
                                     r.lab));
      }
      auto it =
          std::find(fit.standards.begin(), fit.standards.end(), std::string(Trim(*standard_text)));
      if (it == fit.standards.end()) {
        throw InputError(source, r.source_line, place_field("standard"),
                         fmt::format("lab '{}': standard '{}' is not in the pilot's file", r.lab,
                                     Trim(*standard_text)));
      }
      standard = static_cast<std::size_t>(it - fit.standards.begin());
    }
    const Eigen::VectorXd g = fit.CorrectionGradient(time.t, standard);
    gradients.row(static_cast<Eigen::Index>(i)) = g.transpose();
    LabDriftCorrection lab;
    lab.lab = r.lab;
    lab.time_text = std::string(Trim(*time_text));
    lab.t = time.t;
    lab.standard = standard;
    lab.value = r.value;
    lab.u = r.u;
    lab.correction = g.dot(fit.values);
    lab.u_correction = std::sqrt(std::max(0.0, g.dot(fit.covariance * g)));
    labs.push_back(std::move(lab));
  }

  const Eigen::MatrixXd added = gradients * fit.covariance * gradients.transpose();
  const Eigen::MatrixXd v = comparison.Covariance() + added;
  std::vector<LabResult> results = comparison.results();
  Eigen::VectorXd u(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const auto ii = static_cast<Eigen::Index>(i);
    u(ii) = std::sqrt(v(ii, ii));
    results[i].value = labs[i].value - labs[i].correction;
    results[i].u = u(ii);
  }
  std::vector<Correlation> correlations;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const auto ii = static_cast<Eigen::Index>(i), jj = static_cast<Eigen::Index>(j);
      const double r = v(ii, jj) / (u(ii) * u(jj));
      if (r == 0) continue;
      Correlation c;
      c.lab_a = results[i].lab;
      c.lab_b = results[j].lab;
      c.r = std::clamp(r, -1.0, 1.0);
      correlations.push_back(std::move(c));
    }
  }
  return {
      Comparison::Create(source, comparison.info(), std::move(results), std::move(correlations)),
      std::move(labs), added};
}

}  // namespace keycomp
