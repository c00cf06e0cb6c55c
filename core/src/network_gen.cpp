#include "phusong/core/network_gen.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <unordered_map>

#include "phusong/core/error.hpp"

namespace phusong::gen {

namespace {

// Points kept at least `spacing` apart, found through a hash of square cells of that size.
class SpacedSet {
public:
    explicit SpacedSet(double spacing_m) { reset(spacing_m); }
    void reset(double spacing_m) {
        m_spacing = std::max(spacing_m, 1e-3);
        m_cells.clear();
        for (size_t i = 0; i < m_points.size(); ++i) m_cells[key(m_points[i])].push_back(i);
    }
    double spacing() const { return m_spacing; }
    bool fits(PointXY p) const {
        const long long cx = cell(p.x_m), cy = cell(p.y_m);
        for (long long dy = -1; dy <= 1; ++dy)
            for (long long dx = -1; dx <= 1; ++dx) {
                const auto it = m_cells.find(pack(cx + dx, cy + dy));
                if (it == m_cells.end()) continue;
                for (size_t i : it->second)
                    if (std::hypot(m_points[i].x_m - p.x_m, m_points[i].y_m - p.y_m) < m_spacing) return false;
            }
        return true;
    }
    void add(PointXY p) {
        m_cells[key(p)].push_back(m_points.size());
        m_points.push_back(p);
    }

private:
    long long cell(double v) const { return static_cast<long long>(std::floor(v / m_spacing)); }
    static long long pack(long long x, long long y) { return x * 73856093LL ^ y * 19349663LL; }
    long long key(PointXY p) const { return pack(cell(p.x_m), cell(p.y_m)); }
    double m_spacing = 1.0;
    std::vector<PointXY> m_points;
    std::unordered_map<long long, std::vector<size_t>> m_cells;
};

bool groundAt(const DemGrid& dem, PointXY p, float* h = nullptr) {
    const GeoTransform& g = dem.geoTransform();
    const int col = static_cast<int>(std::floor((p.x_m - g.origin_x_m) / g.pixel_width_m));
    const int row = static_cast<int>(std::floor((g.origin_y_m - p.y_m) / g.pixel_height_m));
    if (!dem.contains(col, row)) return false;
    const float z = dem.at(col, row);
    if (std::isnan(z)) return false;
    if (h) *h = z;
    return true;
}

PointXY randomPoint(const DemGrid& dem, SplitMix64& rng) {
    const GeoTransform& g = dem.geoTransform();
    return {g.origin_x_m + rng.uniform() * dem.width() * g.pixel_width_m, g.origin_y_m - rng.uniform() * dem.height() * g.pixel_height_m};
}

PointXY jitter(PointXY c, double radius_m, SplitMix64& rng) {
    const double r = radius_m * std::sqrt(rng.uniform()), a = 2.0 * M_PI * rng.uniform();
    return {c.x_m + r * std::cos(a), c.y_m + r * std::sin(a)};
}

template <class T>
void shuffle(std::vector<T>& v, SplitMix64& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}
}  // namespace

std::vector<SyntheticVillage> generateVillages(const DemGrid& dem, int count, uint64_t seed, double pop_min, double pop_max) {
    if (count <= 0) return {};
    SplitMix64 rng(seed ^ 0x5649'4C4C'4147'4531ull);
    // Low ground: the 5th percentile of valid heights (sampled), and the slope from neighbours.
    std::vector<float> sample;
    for (int i = 0; i < 4000; ++i) {
        float h = 0;
        if (groundAt(dem, randomPoint(dem, rng), &h)) sample.push_back(h);
    }
    if (sample.empty()) throw InputError("the terrain has no valid ground to place villages on");
    std::sort(sample.begin(), sample.end());
    const double base = sample[sample.size() / 20];
    const double step = dem.geoTransform().pixel_width_m;
    std::vector<SyntheticVillage> out;
    SpacedSet spaced(300.0);
    long long tries = 0;
    const long long max_tries = 400LL * count + 10000;
    while (static_cast<int>(out.size()) < count) {
        if (++tries > max_tries) {
            spaced.reset(spaced.spacing() * 0.5);
            tries = 0;
        }
        const PointXY p = randomPoint(dem, rng);
        float h = 0, hx = 0, hy = 0;
        if (!groundAt(dem, p, &h) || !groundAt(dem, {p.x_m + step, p.y_m}, &hx) || !groundAt(dem, {p.x_m, p.y_m + step}, &hy)) continue;
        const double slope = std::hypot(hx - h, hy - h) / step;
        const double accept = std::exp(-std::max(0.0, h - base) / 150.0) * std::exp(-slope / 0.15);
        if (rng.uniform() >= accept || !spaced.fits(p)) continue;
        spaced.add(p);
        const double pop = pop_min * std::pow(pop_max / pop_min, rng.uniform());
        out.push_back({p, std::round(pop)});
    }
    return out;
}

std::vector<PlacedTower> placeTowers(const DemGrid& dem, const std::vector<PointXY>& villages, const std::vector<double>& population,
                                     const TowerRules& rules) {
    std::vector<PlacedTower> out;
    if (rules.towers <= 0) return out;
    // One deterministic process whose first N towers do not depend on N: a network of 1,596
    // towers extends the 900 of an earlier year with the same seed (towers are only added).
    SplitMix64 rng_v(rules.seed ^ 0x544F'5745'5253'0002ull), rng_p(rules.seed ^ 0x544F'5745'5253'0003ull),
        rng_g(rules.seed ^ 0x544F'5745'5253'0004ull);
    SpacedSet spaced(rules.min_spacing_m);
    const GeoTransform& g = dem.geoTransform();
    // Hilltop stream: the highest valid pixel of each block (half the spacing), highest first.
    std::vector<std::pair<float, PointXY>> tops;
    if (rules.share_hilltops > 0) {
        const int block = std::max(2, static_cast<int>(std::lround(0.5 * rules.min_spacing_m / g.pixel_width_m)));
        for (int r0 = 0; r0 < dem.height(); r0 += block)
            for (int c0 = 0; c0 < dem.width(); c0 += block) {
                float best = -1e30f;
                int bc = -1, br = -1;
                for (int r = r0; r < std::min(r0 + block, dem.height()); ++r)
                    for (int c = c0; c < std::min(c0 + block, dem.width()); ++c)
                        if (dem.at(c, r) > best) best = dem.at(c, r), bc = c, br = r;
                if (bc >= 0) tops.push_back({best, {g.centerX(bc), g.centerY(br)}});
            }
        std::stable_sort(tops.begin(), tops.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    }
    size_t hidx = 0;
    std::vector<size_t> order(villages.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng_v);
    size_t vidx = 0;
    int vround = 0;
    std::vector<double> cum(population.size());
    std::partial_sum(population.begin(), population.end(), cum.begin());

    auto fits = [&](PointXY p) { return groundAt(dem, p) && spaced.fits(p); };
    // Each rule yields its next tower, or nothing when it is out of room at this spacing.
    auto nextHill = [&]() -> std::optional<PointXY> {
        while (hidx < tops.size()) {
            const PointXY p = tops[hidx++].second;
            if (fits(p)) return p;
        }
        return std::nullopt;
    };
    auto nextVillage = [&]() -> std::optional<PointXY> {
        if (villages.empty()) {
            for (int k = 0; k < 2000; ++k)
                if (const PointXY p = randomPoint(dem, rng_g); fits(p)) return p;
            return std::nullopt;
        }
        for (size_t k = 0; k < 2 * order.size(); ++k) {
            if (vidx == order.size()) vidx = 0, ++vround;
            const PointXY p = jitter(villages[order[vidx++]], 300.0 * (1 + std::min(vround, 5)), rng_v);
            if (fits(p)) return p;
        }
        return std::nullopt;
    };
    auto nextPopulation = [&]() -> std::optional<PointXY> {
        for (int k = 0; k < 2000 && !cum.empty() && cum.back() > 0; ++k) {
            const double u = rng_p.uniform() * cum.back();
            const size_t v = std::min(static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin()), villages.size() - 1);
            const PointXY p = jitter(villages[v], 1500.0, rng_p);
            if (fits(p)) return p;
        }
        return std::nullopt;
    };
    const double share[3] = {rules.share_hilltops, rules.share_villages + (villages.empty() ? rules.share_population : 0.0),
                             villages.empty() ? 0.0 : rules.share_population};
    const char* names[3] = {"hilltop", villages.empty() ? "grid" : "village", "population"};
    int placed[3] = {0, 0, 0};
    int relaxations = 0;
    while (static_cast<int>(out.size()) < rules.towers) {
        // The rule furthest behind its share goes next (ties: hilltop, village, population).
        const int k = static_cast<int>(out.size());
        int rule = -1;
        double worst = -1e300;
        for (int r = 0; r < 3; ++r) {
            if (share[r] <= 0) continue;
            const double deficit = share[r] * (k + 1) - placed[r];
            if (deficit > worst + 1e-12) worst = deficit, rule = r;
        }
        if (rule < 0) break;
        const std::optional<PointXY> p = rule == 0 ? nextHill() : rule == 1 ? nextVillage() : nextPopulation();
        if (!p) {
            // Out of room: relax the spacing for every rule and rescan the hilltops.
            if (++relaxations > 24) break;
            spaced.reset(spaced.spacing() * 0.7);
            hidx = 0;
            continue;
        }
        spaced.add(*p);
        out.push_back({*p, names[rule]});
        ++placed[rule];
    }
    return out;
}

std::vector<BaseStation> assignBaseStations(const std::vector<PlacedTower>& towers, const std::map<Technology, int>& bts,
                                            const std::vector<std::pair<std::string, double>>& operator_share,
                                            const std::vector<PointXY>& hotspots, uint64_t seed) {
    std::vector<BaseStation> out;
    if (towers.empty() || operator_share.empty()) return out;
    SplitMix64 rng(seed ^ 0x4254'5341'5353'4947ull);
    double total_share = 0.0;
    for (const auto& [op, s] : operator_share) total_share += s;
    // Owners by share.
    std::vector<int> owner(towers.size());
    for (auto& o : owner) {
        double u = rng.uniform() * total_share;
        o = 0;
        for (size_t k = 0; k < operator_share.size(); ++k) {
            if (u < operator_share[k].second) {
                o = static_cast<int>(k);
                break;
            }
            u -= operator_share[k].second;
            o = static_cast<int>(k);
        }
    }
    std::vector<size_t> order(towers.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);
    // Towers nearest the hotspots first (for 5G).
    std::vector<size_t> near = order;
    if (!hotspots.empty()) {
        std::vector<double> d(towers.size(), 1e300);
        for (size_t t = 0; t < towers.size(); ++t)
            for (const auto& h : hotspots) d[t] = std::min(d[t], std::hypot(towers[t].xy.x_m - h.x_m, towers[t].xy.y_m - h.y_m));
        std::stable_sort(near.begin(), near.end(), [&](size_t a, size_t b) { return d[a] < d[b]; });
    }
    std::vector<int> load(towers.size(), 0);
    for (const auto& [tech, count] : bts) {
        if (count <= 0) continue;
        // Largest remainder quotas.
        std::vector<int> q(operator_share.size());
        std::vector<std::pair<double, size_t>> rem;
        int given = 0;
        for (size_t k = 0; k < q.size(); ++k) {
            const double exact = count * operator_share[k].second / total_share;
            q[k] = static_cast<int>(std::floor(exact));
            given += q[k];
            rem.push_back({-(exact - q[k]), k});
        }
        std::stable_sort(rem.begin(), rem.end());
        for (size_t i = 0; given < count; ++i, ++given) ++q[rem[i % rem.size()].second];
        const std::vector<size_t>& base = (tech == Technology::G5 && !hotspots.empty()) ? near : order;
        for (size_t k = 0; k < q.size(); ++k) {
            if (q[k] > static_cast<int>(towers.size()))
                throw InputError(operator_share[k].first + " needs " + std::to_string(q[k]) + " " + std::string(toString(tech)) +
                                 " base stations but there are only " + std::to_string(towers.size()) +
                                 " towers (one per tower and technology); raise sites.generate.towers");
            std::vector<size_t> pick = base;
            if (!(tech == Technology::G5 && !hotspots.empty())) {
                // Towers with nothing on them first (every tower carries something), then the
                // operator's own towers, then others' (sharing); the seeded order breaks ties.
                std::vector<size_t> rank(towers.size());
                for (size_t i = 0; i < base.size(); ++i) rank[base[i]] = i;
                std::stable_sort(pick.begin(), pick.end(), [&](size_t a, size_t b) {
                    const int ka = (load[a] > 0) * 2 + (owner[a] != static_cast<int>(k)), kb = (load[b] > 0) * 2 + (owner[b] != static_cast<int>(k));
                    return ka != kb ? ka < kb : rank[a] < rank[b];
                });
            }
            for (int i = 0; i < q[k]; ++i) ++load[pick[static_cast<size_t>(i)]];
            for (int i = 0; i < q[k]; ++i) out.push_back({static_cast<int>(pick[static_cast<size_t>(i)]), tech, operator_share[k].first});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const BaseStation& a, const BaseStation& b) {
        return a.tower != b.tower ? a.tower < b.tower : a.tech < b.tech;
    });
    return out;
}

}  // namespace phusong::gen
