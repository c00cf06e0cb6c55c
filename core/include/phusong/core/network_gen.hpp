#pragma once
/// @file network_gen.hpp
/// Synthetic villages and networks for scenarios whose real data we do not have: villages in the
/// valleys and plains, towers placed by rules planners use (hilltops, next to villages, where
/// people live), and base stations spread over the towers per technology and operator.
/// Everything is deterministic for a seed (SplitMix64, no std:: distributions).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "phusong/core/geometry.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/core/technology.hpp"

namespace phusong::gen {

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, portable, seedable generator.
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : m_state(seed) {}
    uint64_t next() {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    /// Uniform integer in [0, n).
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }

private:
    uint64_t m_state;
};

struct SyntheticVillage {
    PointXY xy;
    double population = 0.0;
};

/// @p count villages on valid ground of @p dem, denser in low, flat terrain (acceptance falls
/// with height above the DEM's 5th percentile and with local slope), at least 300 m apart when
/// room allows; populations log-uniform in [pop_min, pop_max].
std::vector<SyntheticVillage> generateVillages(const DemGrid& dem, int count, uint64_t seed, double pop_min, double pop_max);

struct TowerRules {
    int towers = 0;
    double share_hilltops = 0.3, share_villages = 0.5, share_population = 0.2;
    double min_spacing_m = 1000.0;
    uint64_t seed = 1;
};

struct PlacedTower {
    PointXY xy;
    std::string rule;  ///< "hilltop", "village", "population"
};

/// Places towers, one at a time, each by the rule furthest behind its share: hilltops (the highest
/// point of each block of half the spacing, highest first), next to villages (each village in a
/// seeded order, within 300 m, widening each round), or where people live (a village drawn with
/// probability proportional to population, within 1.5 km). Towers keep min_spacing_m apart; the
/// spacing shrinks by 0.7 when a rule runs out of room. Nothing depends on the tower count, so
/// the first N towers of a larger network are the towers of an N-tower network with the same
/// seed: a later year's network extends an earlier one.
std::vector<PlacedTower> placeTowers(const DemGrid& dem, const std::vector<PointXY>& villages,
                                     const std::vector<double>& population, const TowerRules& rules);

struct BaseStation {
    int tower = 0;
    Technology tech = Technology::G4;
    std::string operator_name;
};

/// Spreads @p bts base stations per technology over the towers: each tower has an owner (drawn by
/// operator share); an operator's base stations of a technology go to distinct towers: empty
/// towers first (so every tower carries something when there are enough), then its own, then
/// others' (sharing). 5G goes first to the towers closest to @p hotspots (industrial
/// zones). Operator quotas per technology by largest remainder of count x share.
/// Throws InputError when an operator needs more base stations of a technology than there are towers.
std::vector<BaseStation> assignBaseStations(const std::vector<PlacedTower>& towers, const std::map<Technology, int>& bts,
                                            const std::vector<std::pair<std::string, double>>& operator_share,
                                            const std::vector<PointXY>& hotspots, uint64_t seed);

}  // namespace phusong::gen
