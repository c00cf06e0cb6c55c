#pragma once
/// @file instances.hpp
/// Readers for the literature's benchmark formats, from text already in memory (the I/O layer
/// opens and decompresses files):
///  - orlib-scp: OR-Library set covering (Beasley 1987): "m n", n column costs, then per row
///    "k" followed by the k columns covering it (1-based);
///  - orlib-rail: the Italian railway instances (Ceria, Nobili & Sassano 1998): "m n", then per
///    column "cost k" followed by the k rows it covers (1-based);
///  - sjc-mclp: Lorena & Pereira's São José dos Campos points: a header line, then "x y demand"
///    per line (metres); every point is both a demand point and a candidate.

#include <string>
#include <vector>

#include "phusong/core/plan/max_cover.hpp"
#include "phusong/core/plan/set_cover.hpp"

namespace phusong::plan {

SetCoverProblem parseOrlibScp(const std::string& text, const std::string& source);
SetCoverProblem parseOrlibRail(const std::string& text, const std::string& source);

struct DemandPoint {
    double x_m = 0, y_m = 0, demand = 0;
};
std::vector<DemandPoint> parseSjcPoints(const std::string& text, const std::string& source);

/// Every point is a candidate; candidate j covers point i when their distance is <= radius_m.
MaxCoverProblem maxCoverFromPoints(const std::vector<DemandPoint>& pts, double radius_m, int p);

}  // namespace phusong::plan
