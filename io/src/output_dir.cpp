#include "phusong/io/output_dir.hpp"

#include <unistd.h>

#include "phusong/core/error.hpp"

namespace phusong::io {

namespace fs = std::filesystem;

StagedOutput::StagedOutput(fs::path final_dir) : m_final(std::move(final_dir)) {
    if (m_final.empty()) throw InputError("--out: give an output directory");
    if (fs::exists(m_final) && !fs::is_directory(m_final)) {
        throw InputError("--out " + m_final.string() + ": exists and is not a directory; choose another path");
    }
    fs::path abs = fs::absolute(m_final).lexically_normal();
    if (abs.filename().empty()) abs = abs.parent_path();
    m_stage = abs.parent_path() / ("." + abs.filename().string() + ".partial-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::create_directories(m_stage, ec);
    if (ec) {
        throw InputError("--out " + m_final.string() + ": cannot create a folder beside it (" + ec.message() +
                         "); check that the parent folder exists and is writable");
    }
}

StagedOutput::~StagedOutput() {
    if (!m_committed) {
        std::error_code ec;
        fs::remove_all(m_stage, ec);
    }
}

std::string StagedOutput::path(const std::string& name) const { return (m_stage / name).string(); }
std::string StagedOutput::finalPath(const std::string& name) const { return (m_final / name).string(); }

void StagedOutput::commit() {
    fs::create_directories(m_final);
    for (const auto& entry : fs::directory_iterator(m_stage)) {
        fs::rename(entry.path(), m_final / entry.path().filename());
    }
    fs::remove_all(m_stage);
    m_committed = true;
}

}  // namespace phusong::io
