#include "core/mc/engine.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <new>

#include "core/input_error.h"
#include "core/mc/random.h"

namespace keycomp::mc {
namespace {

/// What one block left behind besides its output values.
struct BlockStats {
  Moments moments;            ///< of the finite values
  std::size_t nonfinite = 0;
  std::size_t first_nonfinite = 0;  ///< trial index of the first, when nonfinite > 0
};

/// Draws blocks of trials and evaluates the model on them, on several threads.
class BlockRunner {
 public:
  BlockRunner(const MeasurementModel& model, const CompiledModel& compiled, std::uint64_t seed,
              unsigned threads)
      : model_(model),
        compiled_(compiled),
        seed_(seed),
        threads_(ResolveThreads(threads)),
        scratch_(threads_) {
    for (std::size_t i = 0; i < model.inputs.size(); ++i) {
      const Distribution& d = model.inputs[i].distribution;
      if (d.is_constant()) continue;
      bool correlated = false;
      for (const InputCorrelation& c : model.correlations) {
        correlated |= c.r != 0 && (c.a == model.inputs[i].name || c.b == model.inputs[i].name);
      }
      (correlated ? copula_inputs_ : independent_inputs_).push_back(i);
    }
    if (!copula_inputs_.empty()) {
      const Eigen::MatrixXd full = model.CorrelationMatrix();
      const auto k = static_cast<Eigen::Index>(copula_inputs_.size());
      Eigen::MatrixXd r(k, k);
      for (Eigen::Index a = 0; a < k; ++a) {
        for (Eigen::Index b = 0; b < k; ++b) {
          r(a, b) = full(static_cast<Eigen::Index>(copula_inputs_[static_cast<std::size_t>(a)]),
                         static_cast<Eigen::Index>(copula_inputs_[static_cast<std::size_t>(b)]));
        }
      }
      auto factor = SemidefiniteCholesky(r);
      if (!factor) {
        throw InputError(model.source, 0, "correlations",
                         "the correlation matrix is not positive semi-definite");
      }
      copula_factor_ = std::move(*factor);
    }
  }

  unsigned threads() const { return threads_; }

  /// Runs blocks [first, last) of a run whose trials end at `total`; block b writes
  /// values[b * kBlockSize - offset, ...) and stats[b - first].
  void Run(std::size_t first, std::size_t last, std::size_t total, double* values,
           std::size_t offset, std::vector<BlockStats>& stats,
           const std::function<void(std::size_t)>& on_block_done) {
    stats.assign(last - first, BlockStats{});
    std::atomic<std::size_t> done{0};
    ParallelForBlocks(last - first, threads_, [&](std::size_t index, unsigned worker) {
      const std::size_t block = first + index;
      const BlockRange range = BlockTrials(block, total);
      double* out = values + (range.begin - offset);
      RunBlock(block, range.size(), out, Scratch(worker));
      BlockStats& s = stats[index];
      const std::span<double> block_values(out, range.size());
      bool all_finite = true;
      for (double v : block_values) all_finite &= std::isfinite(v);
      if (all_finite) {
        s.moments = Moments::Of(block_values);
      } else {
        std::vector<double> finite;
        for (std::size_t t = 0; t < block_values.size(); ++t) {
          if (std::isfinite(block_values[t])) {
            finite.push_back(block_values[t]);
          } else if (s.nonfinite++ == 0) {
            s.first_nonfinite = range.begin + t;
          }
        }
        s.moments = Moments::Of(finite);
      }
      const std::size_t finished = done.fetch_add(1) + 1;
      if (worker == 0 && on_block_done) on_block_done(finished);
    });
  }

 private:
  struct WorkerScratch {
    std::vector<std::vector<double>> buffers;
    std::unique_ptr<ModelEvaluator> evaluator;
    std::vector<double> normals;  // copula: k standard normals per trial
  };

  WorkerScratch& Scratch(unsigned worker) {
    std::unique_ptr<WorkerScratch>& s = scratch_[worker];
    if (!s) {
      s = std::make_unique<WorkerScratch>();
      s->buffers.resize(model_.inputs.size());
      std::vector<double*> pointers;
      for (std::size_t i = 0; i < model_.inputs.size(); ++i) {
        const Distribution& d = model_.inputs[i].distribution;
        s->buffers[i].assign(kBlockSize, d.is_constant() ? d.value : 0.0);
        pointers.push_back(s->buffers[i].data());
      }
      s->evaluator = compiled_.Bind(pointers);
      s->normals.resize(copula_inputs_.size());
    }
    return *s;
  }

  void RunBlock(std::size_t block, std::size_t n, double* out, WorkerScratch& s) const {
    for (std::size_t i : independent_inputs_) {
      Xoshiro256pp rng = BlockGenerator(seed_, i, block);
      model_.inputs[i].distribution.Sample(rng, std::span(s.buffers[i].data(), n));
    }
    if (!copula_inputs_.empty()) {
      Xoshiro256pp rng = BlockGenerator(seed_, kCopulaStream, block);
      const std::size_t k = copula_inputs_.size();
      std::vector<double>& e = s.normals;
      for (std::size_t t = 0; t < n; ++t) {
        for (std::size_t j = 0; j < k; ++j) e[j] = StandardNormal(rng);
        for (std::size_t j = 0; j < k; ++j) {
          double z = 0;
          for (std::size_t l = 0; l <= j; ++l) {
            z += copula_factor_(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) * e[l];
          }
          const std::size_t input = copula_inputs_[j];
          s.buffers[input][t] = model_.inputs[input].distribution.QuantileOfNormal(z);
        }
      }
    }
    s.evaluator->Evaluate(n, out);
  }

  const MeasurementModel& model_;
  const CompiledModel& compiled_;
  std::uint64_t seed_;
  unsigned threads_;
  std::vector<std::size_t> independent_inputs_;
  std::vector<std::size_t> copula_inputs_;
  Eigen::MatrixXd copula_factor_;
  std::vector<std::unique_ptr<WorkerScratch>> scratch_;
};

/// The allocator of the output values (8 bytes per trial, 80 MB for 10^7 trials):
/// - value-initialisation leaves doubles uninitialised, so that resizing does not write every
///   value on one thread before the workers fill them;
/// - large arrays are aligned to 2 MiB and offered to transparent huge pages (Linux), which
///   cuts the page faults of the first touch 512-fold; under virtualisation those faults cost
///   as much as evaluating a simple model.
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() = default;
  template <class U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}

  static constexpr std::size_t kHugePage = std::size_t{1} << 21;
  static std::size_t HugeBytes(std::size_t n) {
    return (n * sizeof(T) + kHugePage - 1) / kHugePage * kHugePage;
  }
  T* allocate(std::size_t n) {
    if (n * sizeof(T) < 2 * kHugePage) return std::allocator<T>::allocate(n);
    void* p = std::aligned_alloc(kHugePage, HugeBytes(n));
    if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, HugeBytes(n), MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < 2 * kHugePage) {
      std::allocator<T>::deallocate(p, n);
    } else {
      std::free(p);
    }
  }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using OutputValues = std::vector<double, UninitialisedAllocator<double>>;

/// Adds up block statistics in block order.
BlockStats MergeStats(const std::vector<BlockStats>& stats, BlockStats total = {}) {
  for (const BlockStats& s : stats) {
    if (s.nonfinite > 0 && total.nonfinite == 0) total.first_nonfinite = s.first_nonfinite;
    total.nonfinite += s.nonfinite;
    total.moments.Merge(s.moments);
  }
  return total;
}

/// Moves the finite values to the front and returns their number.
template <class Values>
std::size_t CompactFinite(Values& values) {
  const auto end = std::remove_if(values.begin(), values.end(),
                                  [](double v) { return !std::isfinite(v); });
  return static_cast<std::size_t>(end - values.begin());
}

/// Standard deviation of the mean of h batch results (JCGM 101 7.9.4 f).
double SdOfMean(const std::vector<double>& x) {
  const double h = static_cast<double>(x.size());
  double mean = 0;
  for (double v : x) mean += v;
  mean /= h;
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / (h * (h - 1)));
}

}  // namespace

std::string McOptions::Validate() const {
  if (!adaptive && trials < 2) return fmt::format("--trials: must be >= 2, got {}", trials);
  if (!(coverage > 0 && coverage < 1)) {
    return fmt::format("coverage: must lie in (0, 1), got {}", coverage);
  }
  if (digits < 1 || digits > 6) return fmt::format("--digits: must be 1 to 6, got {}", digits);
  if (histogram_bins < 1) return "--bins: must be >= 1";
  return {};
}

McResult RunMonteCarlo(const MeasurementModel& model, const CompiledModel& compiled,
                       const McOptions& options) {
  if (const std::string why = options.Validate(); !why.empty()) {
    const auto colon = why.find(':');
    throw InputError("", 0, why.substr(0, colon), why.substr(colon + 2));
  }
  McResult result;
  result.seed = options.seed;
  result.coverage = options.coverage;
  result.adaptive = options.adaptive;
  for (const std::string& note : compiled.Notes()) result.warnings.push_back(note);

  BlockRunner runner(model, compiled, options.seed, options.threads);
  OutputValues values;
  BlockStats total;
  std::vector<BlockStats> stats;

  if (!options.adaptive) {
    const std::size_t blocks = BlockCount(options.trials);
    values.resize(options.trials);
    runner.Run(0, blocks, options.trials, values.data(), 0, stats, [&](std::size_t done) {
      if (options.progress) {
        options.progress(std::min(done * kBlockSize, options.trials), options.trials);
      }
    });
    total = MergeStats(stats);
    result.trials = options.trials;
  } else {
    // JCGM 101 7.9.4: batches of M = max(100/(1 - p), 10^4) trials, here rounded up to whole
    // blocks so that each batch is seeded the same way whatever the thread count.
    const double wanted = std::max(std::ceil(100 / (1 - options.coverage)), 1e4);
    const std::size_t batch_blocks =
        static_cast<std::size_t>(std::ceil(wanted / static_cast<double>(kBlockSize)));
    const std::size_t batch = batch_blocks * kBlockSize;
    AdaptiveSummary& a = result.adaptive_summary;
    a.batch_trials = batch;
    std::vector<double> means, us, lows, highs, sym_lows, sym_highs;
    std::vector<double> scratch;
    for (std::size_t h = 0;; ++h) {
      const std::size_t begin = h * batch;
      values.resize(begin + batch);
      runner.Run(h * batch_blocks, (h + 1) * batch_blocks, begin + batch, values.data() + begin,
                 begin, stats, [&](std::size_t done) {
                   if (options.progress) options.progress(begin + done * kBlockSize, 0);
                 });
      const BlockStats batch_stats = MergeStats(stats);
      total = MergeStats(stats, total);
      a.batches = h + 1;
      if (total.nonfinite > 0 && !options.drop_nonfinite) break;
      scratch.assign(values.begin() + static_cast<std::ptrdiff_t>(begin), values.end());
      scratch.resize(CompactFinite(scratch));
      const CoverageIntervals ci =
          ComputeCoverageIntervals(scratch, options.coverage, runner.threads() > 1);
      means.push_back(batch_stats.moments.mean);
      us.push_back(batch_stats.moments.StandardDeviation());
      lows.push_back(ci.shortest_low);
      highs.push_back(ci.shortest_high);
      sym_lows.push_back(ci.symmetric_low);
      sym_highs.push_back(ci.symmetric_high);
      if (a.batches >= 2) {
        a.sd_mean = SdOfMean(means);
        a.sd_u = SdOfMean(us);
        a.sd_low = std::max(SdOfMean(lows), SdOfMean(sym_lows));
        a.sd_high = std::max(SdOfMean(highs), SdOfMean(sym_highs));
        a.tolerance = NumericalTolerance(total.moments.StandardDeviation(), options.digits);
        const double worst = 2 * std::max({a.sd_mean, a.sd_u, a.sd_low, a.sd_high});
        if (worst <= a.tolerance) {
          a.stabilised = true;
          break;
        }
      }
      if (values.size() + batch > options.max_trials) break;
    }
    result.trials = values.size();
    if (!a.stabilised && (total.nonfinite == 0 || options.drop_nonfinite)) {
      result.status = Status::kNotConverged;
      result.message = fmt::format(
          "the adaptive procedure did not stabilise within {} trials (2 s = {:.3g} > tolerance "
          "{:.3g}); raise --max-trials or lower --digits",
          result.trials, 2 * std::max({a.sd_mean, a.sd_u, a.sd_low, a.sd_high}), a.tolerance);
    }
  }

  result.nonfinite = total.nonfinite;
  result.gum = PropagateGum(model, compiled, options.coverage);
  for (const std::string& w : result.gum.warnings) result.warnings.push_back(w);

  if (total.nonfinite > 0) {
    const std::string what = fmt::format(
        "the model gave NaN or infinity in {} of {} trials (first at trial {})", total.nonfinite,
        result.trials, total.first_nonfinite);
    if (!options.drop_nonfinite) {
      result.status = Status::kFailed;
      result.message = what + "; the values are not summarised (--drop-nonfinite summarises "
                              "the finite ones)";
      return result;
    }
    result.warnings.push_back(what + "; summarised over the finite values only");
    values.resize(CompactFinite(values));
    if (values.size() < 2) {
      result.status = Status::kFailed;
      result.message = what;
      return result;
    }
  }

  result.mean = total.moments.mean;
  result.u = total.moments.StandardDeviation();
  result.intervals = ComputeCoverageIntervals(values, options.coverage, runner.threads() > 1);
  result.histogram = MakeHistogram(values, result.intervals.plot_low, result.intervals.plot_high,
                                   options.histogram_bins);
  if (result.gum.status == Status::kOk) {
    result.validation = ValidateGum(result.gum, result.u, result.intervals.shortest_low,
                                    result.intervals.shortest_high, options.digits);
  }
  if (result.status == Status::kNotRun) result.status = Status::kOk;
  return result;
}

}  // namespace keycomp::mc
