#pragma once
// Where tests find the shared reference data (../shared/data beside the source tree).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "phusong/core/csv.hpp"

namespace phusong::test {

inline std::string sharedData(const std::string& rel) {
    return (std::filesystem::path(PHUSONG_SHARED_DATA) / rel).string();
}

/// A numeric field of a validation CSV record; the error names the file, line and field.
inline double num(const Record& r, const char* field) { return parseNumber(r.get(field), r.location, field); }

/// Skips the calling test with a clear reason when the shared data is missing (it is beside the
/// clone in CI; a lone checkout may lack it).
#define PHUSONG_REQUIRE_DATA(path)                                                      \
    do {                                                                                \
        if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data missing: " << (path); \
    } while (0)

}  // namespace phusong::test
