// Throughput of the coverage engine (per-pixel profile + P.526 diffraction) on seeded synthetic
// terrain, by radius and thread count. Prints pixel evaluations per second.
//   build/bin/bench_coverage --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include "phusong/core/engine/coverage.hpp"
#include "phusong/core/synth_terrain.hpp"

using namespace phusong;

namespace {
const DemGrid& terrain() {
    static const DemGrid dem = [] {
        SynthTerrainOptions o;
        o.size_km = 20.0;
        o.resolution_m = 30.0;
        o.seed = 7;
        return synthesizeTerrain(o);
    }();
    return dem;
}

void BM_CoverageOneSector(benchmark::State& state) {
    const DemGrid& dem = terrain();
    const auto model = static_cast<models::ModelKind>(state.range(2));
    Sector s;
    s.site_id = "B";
    s.location = "bench";
    s.xy = {dem.geoTransform().centerX(dem.width() / 2), dem.geoTransform().centerY(dem.height() / 2)};
    s.antenna_height_m = 30.0;
    s.tech = Technology::G4;
    s.freq_MHz = 1800.0;
    s.eirp_dBm = 61.0;
    s.bandwidth_MHz = 20.0;
    s.reference_offset_dB = *referenceSignalOffset_dB(Technology::G4, 20.0);
    engine::CoverageOptions opt;
    opt.model.kind = model;
    opt.radius_m = static_cast<double>(state.range(0));
    opt.threads = static_cast<int>(state.range(1));
    long long pixels = 0;
    for (auto _ : state) {
        const auto r = engine::computeCoverage(dem, {s}, opt);
        long long n = 0;
        for (int32_t b : r.layers[0].best_server.data()) n += b >= 0;
        pixels += n;
        benchmark::DoNotOptimize(r.layers[0].signal_dBm.data().data());
    }
    state.counters["threads"] = static_cast<double>(opt.threads);
    state.counters["pixels_per_s"] = benchmark::Counter(static_cast<double>(pixels), benchmark::Counter::kIsRate);
    state.SetLabel(std::string(models::toString(model)));
}
}  // namespace

BENCHMARK(BM_CoverageOneSector)
    ->ArgsProduct({{3000, 6000}, {1, 2}, {static_cast<int>(models::ModelKind::P526Deygout), static_cast<int>(models::ModelKind::P526Bullington), static_cast<int>(models::ModelKind::Hata)}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
