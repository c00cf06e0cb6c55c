#pragma once
/// @file output_dir.hpp
/// All-or-nothing output directories: files are written to a hidden staging folder and moved
/// into place only when the whole run succeeded.

#include <filesystem>
#include <string>
#include <vector>

namespace phusong::io {

class StagedOutput {
public:
    /// Creates the staging folder beside @p final_dir (".NAME.partial-HOST-PID"), after removing
    /// those (and ".NAME.replaced-HOST-PID") that runs on this host left there when interrupted
    /// (their process is gone). Throws InputError if it cannot.
    explicit StagedOutput(std::filesystem::path final_dir);
    /// Removes the staging folder unless commit() ran.
    ~StagedOutput();
    StagedOutput(const StagedOutput&) = delete;
    StagedOutput& operator=(const StagedOutput&) = delete;

    /// Path of @p name inside the staging folder.
    std::string path(const std::string& name) const;
    /// Where @p name will be after commit().
    std::string finalPath(const std::string& name) const;
    /// Creates the final folder if needed and moves every staged file and folder into it,
    /// replacing those of the same names (an earlier run's) as a whole; other files there stay.
    /// On failure --out keeps what it had, and Error says why.
    void commit();

private:
    std::filesystem::path m_final;
    std::filesystem::path m_stage;
    std::filesystem::path m_replaced;  // where the replaced entries wait until the new ones are in
    bool m_committed = false;
};

/// @p path as it will read once the outputs being staged are committed: a path inside the
/// staging folder of a live StagedOutput is given under that output's final folder (nested ones,
/// a plan staged inside a scenario run, resolved inner first); any other path is returned as it
/// is. For the paths that outputs record (summaries, band descriptions), which must name files
/// that exist after the run, not the hidden staging folder.
std::string displayPath(const std::string& path);

}  // namespace phusong::io
