#include "core/kg_consensus.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cmath>
#include <map>

#include "core/input_error.h"
#include "core/read_comparison.h"
#include "core/text_fields.h"

namespace keycomp {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

/// Parses YYYY, YYYY-MM or YYYY-MM-DD into {year, month, day} (missing parts 0).
std::array<int, 3> ParseDate(std::string_view text, const FieldPlace& place) {
  std::array<int, 3> parts{0, 0, 0};
  const std::array<std::size_t, 3> widths{4, 2, 2};
  std::size_t pos = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    if (k > 0) {
      if (pos == text.size()) break;
      if (text[pos] != '-') pos = std::string_view::npos;
      else ++pos;
    }
    bool ok = pos != std::string_view::npos && pos + widths[k] <= text.size();
    for (std::size_t i = 0; ok && i < widths[k]; ++i) {
      ok = std::isdigit(static_cast<unsigned char>(text[pos + i])) != 0;
    }
    if (!ok) {
      throw InputError(place.file, place.line, place.field,
                       fmt::format("'{}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", text));
    }
    parts[k] = std::stoi(std::string(text.substr(pos, widths[k])));
    pos += widths[k];
  }
  const bool bad_month = parts[1] > 12 || (pos > 4 && parts[1] == 0);
  const bool bad_day = parts[2] > 31 || (pos > 7 && parts[2] == 0);
  if (pos != text.size() || bad_month || bad_day) {
    throw InputError(place.file, place.line, place.field,
                     fmt::format("'{}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", text));
  }
  return parts;
}

bool ParseMetadata(std::string_view body, std::string& key, std::string& value) {
  const auto colon = body.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view k = Trim(body.substr(0, colon));
  if (k.empty() || k.size() > 40) return false;
  for (char c : k) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ')) {
      return false;
    }
  }
  key = std::string(k);
  value = std::string(Trim(body.substr(colon + 1)));
  return true;
}

enum class Column { kLabel, kValue, kDate, kU, kInForce, kOther };

Column Classify(const std::string& name) {
  if (name == "u") return Column::kU;
  const std::string lower = ToLower(name);
  if (lower == "label" || lower == "comparison" || lower == "kcrv_label") return Column::kLabel;
  if (lower == "value" || lower == "kcrv") return Column::kValue;
  if (lower == "date" || lower == "year") return Column::kDate;
  if (lower == "u_kcrv" || lower == "standard_uncertainty") return Column::kU;
  if (lower == "in_force") return Column::kInForce;
  return Column::kOther;
}

}  // namespace

const char* ToString(LimitOrder order) {
  switch (order) {
    case LimitOrder::kLimitThenRound: return "limit_then_round";
    case LimitOrder::kRoundThenLimit: return "round_then_limit";
  }
  return "?";
}

std::optional<LimitOrder> LimitOrderFromString(std::string_view text) {
  if (text == "limit_then_round" || text == "limit-then-round") return LimitOrder::kLimitThenRound;
  if (text == "round_then_limit" || text == "round-then-limit") return LimitOrder::kRoundThenLimit;
  return std::nullopt;
}

std::string ConsensusOptions::Validate() const {
  if (window < 1) return "--window must be at least 1";
  if (!(limit > 0)) return fmt::format("--limit must be > 0 (or infinite), got {}", limit);
  if (!(rounding_step >= 0) || !std::isfinite(rounding_step)) {
    return fmt::format("--round must be a finite step >= 0 (0: no rounding), got {}",
                       rounding_step);
  }
  if (!(u_assigned > 0) || !std::isfinite(u_assigned)) {
    return fmt::format("--u-assigned must be finite and > 0, got {}", u_assigned);
  }
  if (initial_previous && !std::isfinite(*initial_previous)) {
    return "--previous must be finite";
  }
  return {};
}

double RoundToStep(double value, double step) {
  if (step == 0 || !std::isfinite(value)) return value;
  const double q = value / step;
  const double floor_q = std::floor(q);
  const double frac = q - floor_q;
  double n;
  if (std::abs(frac - 0.5) <= 1e-9) {
    n = q > 0 ? floor_q + 1 : floor_q;  // a half: away from zero
  } else {
    n = std::round(q);
  }
  const double rounded = n * step;
  return rounded == 0 ? 0.0 : rounded;  // no "-0"
}

std::string ConsensusResult::BriefReport() const {
  if (revisions.empty()) return message.empty() ? "no revision" : message;
  std::size_t limited = 0;
  for (const auto& r : revisions) limited += r.limit_applied ? 1 : 0;
  const ConsensusRevision& last = revisions.back();
  return fmt::format("{} revision{}, latest {} (u {}), limit applied in {}", revisions.size(),
                     revisions.size() == 1 ? "" : "s", last.published, last.u, limited);
}

ConsensusResult ComputeConsensusValues(const KcrvHistory& history,
                                       const ConsensusOptions& options) {
  if (std::string why = options.Validate(); !why.empty()) {
    throw InputError("", 0, why.substr(0, why.find(' ')), why);
  }
  const auto& entries = history.entries;
  if (entries.size() < options.window) {
    throw InputError(history.source, 0, "value",
                     fmt::format("the history has {} entr{}, fewer than the window of {}",
                                 entries.size(), entries.size() == 1 ? "y" : "ies",
                                 options.window));
  }
  for (const KcrvEntry& e : entries) {
    if (!std::isfinite(e.value)) {
      throw InputError(history.source, e.source_line, "value",
                       fmt::format("'{}': the value must be finite", e.label));
    }
    if (!std::isnan(e.u) && !(e.u > 0 && std::isfinite(e.u))) {
      throw InputError(history.source, e.source_line, "u",
                       fmt::format("'{}': u must be > 0, got {}", e.label, e.u));
    }
  }

  ConsensusResult result;
  result.options = options;
  std::optional<double> previous = options.initial_previous;
  const std::size_t n = options.window;
  for (std::size_t newest = n - 1; newest < entries.size(); ++newest) {
    ConsensusRevision rev;
    rev.newest = newest;
    rev.label = entries[newest].in_force.empty() ? entries[newest].label : entries[newest].in_force;
    double sum = 0;
    double sum_u2 = 0;
    for (std::size_t i = newest + 1 - n; i <= newest; ++i) {
      rev.window.push_back(i);
      sum += entries[i].value;
      sum_u2 += entries[i].u * entries[i].u;  // NaN propagates when a u is unknown
    }
    rev.mean = sum / static_cast<double>(n);
    rev.u_mean = std::sqrt(sum_u2) / static_cast<double>(n);
    rev.previous = previous;

    // The limit acts on `candidate` (the mean, or the rounded mean), relative to `previous`.
    // A change within a few ulps of the limit counts as at the limit (not limited), so that a
    // mean exactly at the limit is not flagged because of the last bit of the division.
    const double candidate = options.order == LimitOrder::kLimitThenRound
                                 ? rev.mean
                                 : RoundToStep(rev.mean, options.rounding_step);
    rev.limited = candidate;
    if (previous) {
      rev.change = rev.mean - *previous;
      const double change = candidate - *previous;
      const double slack =
          8 * kEpsilon * std::max({std::abs(candidate), std::abs(*previous), options.limit});
      if (std::isfinite(options.limit) && std::abs(change) > options.limit + slack) {
        rev.limited = *previous + std::copysign(options.limit, change);
        rev.limit_applied = true;
      }
    }
    rev.published = options.order == LimitOrder::kLimitThenRound
                        ? RoundToStep(rev.limited, options.rounding_step)
                        : rev.limited;
    rev.u = options.u_assigned;
    if (previous) rev.published_change = rev.published - *previous;
    previous = rev.published;
    result.revisions.push_back(std::move(rev));
  }
  result.status = Status::kOk;
  return result;
}

KcrvHistory ParseKcrvHistoryCsv(const std::string& text_in, const std::string& source) {
  std::string_view text = text_in;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  KcrvHistory history;
  history.source = source;
  std::map<Column, std::size_t> column_of;
  std::size_t header_size = 0;
  bool have_header = false;
  std::array<int, 3> last_date{-1, -1, -1};

  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      std::string key, value;
      if (!have_header && ParseMetadata(line.substr(1), key, value)) {
        if (ToLower(key) == "unit") history.unit = value;
        else history.metadata.emplace_back(key, value);
      }
      continue;
    }
    const auto fields = SplitCsvRecord(line, {source, line_no, ""});
    if (!have_header) {
      have_header = true;
      header_size = fields.size();
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string name(Trim(fields[i]));
        const Column c = Classify(name);
        if (c == Column::kOther) continue;
        if (column_of.count(c) > 0) {
          throw InputError(source, line_no, name, fmt::format("duplicate column '{}'", name));
        }
        column_of[c] = i;
      }
      const std::pair<Column, const char*> required[] = {
          {Column::kLabel, "label"}, {Column::kValue, "value"}, {Column::kDate, "date"}};
      for (const auto& [c, name] : required) {
        if (column_of.count(c) == 0) {
          throw InputError(source, line_no, name,
                           fmt::format("missing required column '{}'{}", name,
                                       c == Column::kDate ? " (or 'year')" : ""));
        }
      }
      continue;
    }
    if (fields.size() != header_size) {
      throw InputError(source, line_no, "",
                       fmt::format("{} fields, the header has {}", fields.size(), header_size));
    }
    auto field = [&](Column c) -> std::string_view {
      const auto it = column_of.find(c);
      return it == column_of.end() ? std::string_view() : Trim(fields[it->second]);
    };
    KcrvEntry e;
    e.source_line = line_no;
    e.label = std::string(field(Column::kLabel));
    if (e.label.empty()) throw InputError(source, line_no, "label", "empty label");
    e.value = ParseFinite(field(Column::kValue), {source, line_no, "value"});
    const std::string_view u_text = field(Column::kU);
    if (!u_text.empty()) {
      e.u = ParseFinite(u_text, {source, line_no, "u"});
      if (!(e.u > 0)) {
        throw InputError(source, line_no, "u",
                         fmt::format("'{}': u must be > 0, got {}", e.label, e.u));
      }
    }
    e.date = std::string(field(Column::kDate));
    const auto date = ParseDate(e.date, {source, line_no, "date"});
    // Chronological order: compare the parts both dates give (a bare year matches any month).
    for (std::size_t k = 0; k < 3; ++k) {
      if (date[k] == 0 || last_date[k] <= 0) break;
      if (date[k] < last_date[k]) {
        throw InputError(source, line_no, "date",
                         fmt::format("'{}' ({}) is earlier than the row before: the history must "
                                     "be in chronological order",
                                     e.label, e.date));
      }
      if (date[k] > last_date[k]) break;
    }
    last_date = date;
    e.in_force = std::string(field(Column::kInForce));
    history.entries.push_back(std::move(e));
  }
  if (!have_header) throw InputError(source, 0, "", "no header line");
  return history;
}

KcrvHistory ReadKcrvHistoryFile(const std::string& path) {
  return ParseKcrvHistoryCsv(ReadTextFile(path), path);
}

}  // namespace keycomp
