// Throughput of the radial-sweep coverage engine on seeded synthetic terrain (20 km at 30 m):
// one sector's sweep per model (pixel evaluations per second, one thread), one site of 1 and 3
// sectors sharing the sweep, and a 108-sector network with composition at 1 and 2 threads.
//   build/bin/bench_coverage --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <optional>

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

Sector benchSector(const DemGrid& dem, int col, int row, std::optional<double> azimuth) {
    Sector s;
    s.site_id = "B";
    s.location = "bench";
    s.xy = {dem.geoTransform().centerX(col), dem.geoTransform().centerY(row)};
    s.antenna_height_m = 30.0;
    s.tech = Technology::G4;
    s.freq_MHz = 1800.0;
    s.eirp_dBm = 61.0;
    s.bandwidth_MHz = 20.0;
    s.reference_offset_dB = *referenceSignalOffset_dB(Technology::G4, 20.0);
    s.pattern.azimuth_deg = azimuth;
    return s;
}

// What one thread's sweeps of windows of @p radius_m need: options, plans, scratch, a window.
struct SweepRig {
    engine::SweepOptions opt;
    engine::RadialPlans plans;
    std::unique_ptr<engine::SweepScratch, void (*)(engine::SweepScratch*)> scratch = engine::makeSweepScratch();
    engine::SectorWindow win;
    SweepRig(const DemGrid& dem, models::ModelKind model, double radius_m)
        : plans(static_cast<int>(std::ceil(radius_m / dem.geoTransform().pixel_width_m)), dem.geoTransform().pixel_width_m,
                dem.geoTransform().pixel_height_m) {
        opt.model.kind = model;
        opt.radius_m = radius_m;
    }
    // Pixels of the window the sweep reached.
    long long reached() const {
        long long n = 0;
        for (float v : win.loss_dB) n += !std::isnan(v);
        return n;
    }
};

// One sector's radial sweep, one thread: pixel evaluations per second of the engine itself.
void BM_Sweep(benchmark::State& state) {
    const DemGrid& dem = terrain();
    const auto model = static_cast<models::ModelKind>(state.range(1));
    const Sector s = benchSector(dem, dem.width() / 2, dem.height() / 2, 0.0);
    SweepRig rig(dem, model, static_cast<double>(state.range(0)));
    long long pixels = 0;
    for (auto _ : state) {
        engine::sweepSector(dem, s, rig.opt, rig.plans, rig.win, *rig.scratch, nullptr);
        pixels += rig.reached();
        benchmark::DoNotOptimize(rig.win.signal_dBm.data());
    }
    state.counters["pixels_per_s"] = benchmark::Counter(static_cast<double>(pixels), benchmark::Counter::kIsRate);
    state.SetLabel(std::string(models::toString(model)));
}

// One site with N sectors on one carrier (azimuths 360/N apart), one thread: the path loss is swept
// once and each sector applies its antenna (engine::sweepLoss + engine::applyAntenna, as
// computeCoverage does for sectors that share a path loss). Counts sector-pixel evaluations.
void BM_Site(benchmark::State& state) {
    const DemGrid& dem = terrain();
    const int n_sectors = static_cast<int>(state.range(1));
    std::vector<Sector> sectors;
    for (int k = 0; k < n_sectors; ++k) sectors.push_back(benchSector(dem, dem.width() / 2, dem.height() / 2, 360.0 * k / n_sectors));
    SweepRig rig(dem, models::ModelKind::P526Bullington, static_cast<double>(state.range(0)));
    long long evaluated = 0;
    for (auto _ : state) {
        engine::sweepLoss(dem, sectors[0], rig.opt, rig.plans, rig.win, *rig.scratch, nullptr);
        const long long n = rig.reached();
        for (const Sector& s : sectors) {
            engine::applyAntenna(s, rig.win);
            benchmark::DoNotOptimize(rig.win.signal_dBm.data());
            evaluated += n;
        }
    }
    state.counters["sector_pixels_per_s"] = benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
    state.SetLabel(std::to_string(n_sectors) + " sectors, p526-bullington");
}

// A network: 36 three-sector-ish sites over the 20 km tile, composition included; threads 1, 2, all.
void BM_Network(benchmark::State& state) {
    const DemGrid& dem = terrain();
    std::vector<Sector> sectors;
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 6; ++j) {
            for (int k = 0; k < 3; ++k) {
                sectors.push_back(benchSector(dem, 55 + 111 * i, 55 + 111 * j, 120.0 * k));
                sectors.back().freq_MHz = 1800.0 + 20.0 * ((i + j) % 3);
            }
        }
    }
    engine::CoverageOptions opt;
    opt.model.kind = models::ModelKind::P526Bullington;
    opt.radius_m = 5000.0;
    opt.threads = static_cast<int>(state.range(0));
    long long evaluated = 0;
    for (auto _ : state) {
        const auto r = engine::computeCoverage(dem, sectors, opt);
        benchmark::DoNotOptimize(r.layers[0].sinr_dB.data().data());
        evaluated += static_cast<long long>(sectors.size()) * 87000;  // ~pi (5000/30)^2 pixels per sector window
    }
    state.counters["threads"] = static_cast<double>(opt.threads);
    state.counters["sector_pixels_per_s"] = benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
}

// Building the ray plan of a 10 km window at 30 m (q rays per border cell): every computeCoverage
// call builds the plans its models need. Arguments: q, threads.
void BM_RadialPlan(benchmark::State& state) {
    for (auto _ : state) {
        const engine::RadialPlan plan(334, 30.0, 30.0, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
        benchmark::DoNotOptimize(plan.rays().data());
    }
    state.counters["threads"] = static_cast<double>(state.range(1));
}

// One omni sector alone, 10 km at 30 m, composition included: its rays split over the threads.
// Arguments: model, threads.
void BM_OneSector(benchmark::State& state) {
    const DemGrid& dem = terrain();
    std::vector<Sector> sectors = {benchSector(dem, dem.width() / 2, dem.height() / 2, 0.0)};
    sectors[0].pattern.azimuth_deg.reset();
    engine::CoverageOptions opt;
    opt.model.kind = static_cast<models::ModelKind>(state.range(0));
    opt.radius_m = 10000.0;
    opt.threads = static_cast<int>(state.range(1));
    long long evaluated = 0;
    for (auto _ : state) {
        const auto r = engine::computeCoverage(dem, sectors, opt);
        benchmark::DoNotOptimize(r.layers[0].signal_dBm.data().data());
        evaluated += 348000;  // ~pi (10000/30)^2 pixels
    }
    state.counters["threads"] = static_cast<double>(opt.threads);
    state.counters["pixels_per_s"] = benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
    state.SetLabel(std::string(models::toString(opt.model.kind)));
}
}  // namespace

BENCHMARK(BM_Sweep)
    ->ArgsProduct({{3000, 10000},
                   {static_cast<int>(models::ModelKind::P526Bullington), static_cast<int>(models::ModelKind::FreeSpace),
                    static_cast<int>(models::ModelKind::Tr38901UMa), static_cast<int>(models::ModelKind::P526Deygout),
                    static_cast<int>(models::ModelKind::Itm)}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Site)->ArgsProduct({{10000}, {1, 3}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Network)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RadialPlan)->ArgsProduct({{3, 6}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OneSector)
    ->ArgsProduct({{static_cast<int>(models::ModelKind::P526Bullington), static_cast<int>(models::ModelKind::Itm)}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
