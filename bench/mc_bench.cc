// Monte Carlo throughput: the JCGM 101 9.3 mass-calibration model written as an expression
// (muparser bulk mode), a built-in model against the same model as an expression, and the
// random draws alone. Run from the repository root:
//
//   build/bench/mc_bench [trials=10000000] [threads=0 (all cores)]
//
// Each figure is the best of 3 runs (wall clock) with the process CPU time beside it, so that
// a machine busy with other work can be told from a slow program.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/mc/engine.h"
#include "core/mc/model_file.h"
#include "core/mc/models/builtin_models.h"
#include "core/mc/random.h"

namespace {

using namespace keycomp::mc;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Timing {
  double wall = 1e300;
  double cpu = 0;
};

Timing Best(const std::function<void()>& run, int repeats = 3) {
  Timing best;
  for (int i = 0; i < repeats; ++i) {
    const double cpu0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    run();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (wall < best.wall) best = {wall, CpuSeconds() - cpu0};
  }
  return best;
}

void Report(const std::string& what, std::size_t trials, const Timing& t) {
  fmt::print("{:<58} {:7.3f} s wall {:7.3f} s cpu {:>10.3g} trials/s\n", what, t.wall, t.cpu,
             static_cast<double>(trials) / t.wall);
}

/// The engine's draws for every input of `model`, without evaluating the model.
void DrawOnly(const MeasurementModel& model, std::size_t trials, unsigned threads) {
  const unsigned workers = ResolveThreads(threads);
  std::vector<std::vector<double>> scratch(workers * model.inputs.size(),
                                           std::vector<double>(kBlockSize));
  ParallelForBlocks(BlockCount(trials), threads, [&](std::size_t block, unsigned worker) {
    const BlockRange r = BlockTrials(block, trials);
    for (std::size_t i = 0; i < model.inputs.size(); ++i) {
      if (model.inputs[i].distribution.is_constant()) continue;
      Xoshiro256pp rng = BlockGenerator(1, i, block);
      std::vector<double>& buffer = scratch[worker * model.inputs.size() + i];
      model.inputs[i].distribution.Sample(rng, std::span(buffer.data(), r.size()));
    }
  });
}

McResult Run(const MeasurementModel& model, std::size_t trials, unsigned threads) {
  const auto compiled = CompileModel(model);
  McOptions options;
  options.trials = trials;
  options.threads = threads;
  options.seed = 1;
  return RunMonteCarlo(model, *compiled, options);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t trials = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 0;
  fmt::print("{} trials, {} threads\n", trials, ResolveThreads(threads));

  const MeasurementModel mass = ReadModelFile("datasets/jcgm101_mass_calibration/model.json").model;
  Report("JCGM 101 9.3 mass calibration, expression (full run)", trials,
         Best([&] { Run(mass, trials, threads); }));
  Report("JCGM 101 9.3 mass calibration, random draws alone", trials,
         Best([&] { DrawOnly(mass, trials, threads); }));

  const MeasurementModel kibble = ReadModelFile("datasets/kibble_balance_example/model.json").model;
  MeasurementModel kibble_expression = kibble;
  kibble_expression.builtin.clear();
  kibble_expression.expression = FindBuiltinModel("kibble_balance")->expression;
  Report("Kibble balance, built-in model (full run)", trials,
         Best([&] { Run(kibble, trials, threads); }));
  Report("Kibble balance, same model as an expression (full run)", trials,
         Best([&] { Run(kibble_expression, trials, threads); }));
  Report("Kibble balance, random draws alone", trials,
         Best([&] { DrawOnly(kibble, trials, threads); }));

  const MeasurementModel dpcr = ReadModelFile("datasets/dpcr_example/LabA.json").model;
  Report("RT-dPCR (lab A), built-in model (full run)", trials,
         Best([&] { Run(dpcr, trials, threads); }));
  Report("RT-dPCR (lab A), random draws alone", trials,
         Best([&] { DrawOnly(dpcr, trials, threads); }));
  return 0;
}
