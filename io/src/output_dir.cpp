#include "phusong/io/output_dir.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/core/error.hpp"

namespace phusong::io {

namespace fs = std::filesystem;

namespace {

std::string hostName() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "host";
    std::string h(buf);
    for (char& c : h) {
        if (c == '/' || c == '-') c = '_';  // the pid follows the last '-'
    }
    return h;
}

// Removes the folders named by one of @p prefixes (".NAME.partial-HOST-", ".NAME.replaced-HOST-")
// and a pid in @p parent, left by runs on this host whose process is gone (interrupted by Ctrl-C,
// killed): their pid no longer exists. Folders of live processes, of other hosts (a shared disk)
// and anything else are left alone. One scan of @p parent for all the prefixes.
void removeStaleStaging(const fs::path& parent, std::initializer_list<std::string_view> prefixes) {
    std::error_code ec;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        size_t prefix_size = 0;
        for (std::string_view prefix : prefixes) {
            if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) prefix_size = prefix.size();
        }
        if (prefix_size == 0) continue;
        const std::string pid_text = name.substr(prefix_size);
        if (pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
        const long pid = std::stol(pid_text);
        if (pid <= 0 || pid == ::getpid()) continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
        std::error_code rm;
        fs::remove_all(it->path(), rm);
    }
}

// Live staging folders and their final folders, in order of creation (displayPath()).
std::mutex g_live_mutex;
std::vector<std::pair<fs::path, fs::path>> g_live;

// Whether @p path lies inside @p base (component by component); @p rest gets the part below it.
bool insideOf(const fs::path& path, const fs::path& base, fs::path& rest) {
    auto p = path.begin();
    for (auto b = base.begin(); b != base.end(); ++b, ++p) {
        if (b->empty()) continue;  // a trailing separator
        if (p == path.end() || *p != *b) return false;
    }
    rest.clear();
    for (; p != path.end(); ++p) rest /= *p;
    return true;
}

}  // namespace

std::string displayPath(const std::string& path) {
    if (path.empty()) return path;
    std::lock_guard<std::mutex> lock(g_live_mutex);
    if (g_live.empty()) return path;
    fs::path p = fs::absolute(path).lexically_normal();
    bool mapped = false;
    for (auto it = g_live.rbegin(); it != g_live.rend(); ++it) {  // innermost first
        fs::path rest;
        if (insideOf(p, it->first, rest)) {
            p = (rest.empty() ? it->second : it->second / rest).lexically_normal();
            mapped = true;
        }
    }
    return mapped ? p.string() : path;
}

StagedOutput::StagedOutput(fs::path final_dir) : m_final(std::move(final_dir)) {
    if (m_final.empty()) throw InputError("--out: give an output directory");
    if (fs::exists(m_final) && !fs::is_directory(m_final)) {
        throw InputError("--out " + m_final.string() + ": exists and is not a directory; choose another path");
    }
    fs::path abs = fs::absolute(m_final).lexically_normal();
    if (abs.filename().empty()) abs = abs.parent_path();
    // ".NAME.partial-HOST-PID" and ".NAME.replaced-HOST-PID", built piece by piece (GCC 12 warns,
    // -Wrestrict, on "." + string).
    auto hidden = [&](const char* kind) {
        std::string p = ".";
        p += abs.filename().string();
        p += kind;
        p += hostName();
        p += '-';
        return p;
    };
    const std::string partial = hidden(".partial-"), replaced = hidden(".replaced-");
    removeStaleStaging(abs.parent_path(), {partial, replaced});
    m_stage = abs.parent_path() / (partial + std::to_string(::getpid()));
    m_replaced = abs.parent_path() / (replaced + std::to_string(::getpid()));
    std::error_code ec;
    fs::create_directories(m_stage, ec);
    if (ec) {
        throw InputError("--out " + m_final.string() + ": cannot create a folder beside it (" + ec.message() +
                         "); check that the parent folder exists and is writable");
    }
    std::lock_guard<std::mutex> lock(g_live_mutex);
    g_live.emplace_back(m_stage, m_final);
}

StagedOutput::~StagedOutput() {
    {
        std::lock_guard<std::mutex> lock(g_live_mutex);
        std::erase_if(g_live, [&](const auto& e) { return e.first == m_stage; });
    }
    if (!m_committed) {
        std::error_code ec;
        fs::remove_all(m_stage, ec);
    }
}

std::string StagedOutput::path(const std::string& name) const { return (m_stage / name).string(); }
std::string StagedOutput::finalPath(const std::string& name) const { return (m_final / name).string(); }

void StagedOutput::commit() {
    std::error_code ec;
    fs::create_directories(m_final, ec);
    if (ec) throw Error("--out " + m_final.string() + ": cannot create the folder (" + ec.message() + ")");
    std::vector<fs::path> names;
    for (const auto& entry : fs::directory_iterator(m_stage)) names.push_back(entry.path().filename());
    // What an earlier run left under the same names (a whole coverage/ folder, say) moves aside
    // first, each entry in one rename on the same disk; then the new entries move in. If a step
    // fails, what moved goes back, so --out holds either the earlier outputs or the new ones. Other
    // files in --out are left alone.
    std::vector<fs::path> set_aside, moved_in;
    auto rollBack = [&] {
        std::error_code ignore;
        for (const fs::path& n : moved_in) fs::rename(m_final / n, m_stage / n, ignore);
        for (const fs::path& n : set_aside) fs::rename(m_replaced / n, m_final / n, ignore);
        fs::remove(m_replaced, ignore);
    };
    for (const fs::path& n : names) {
        if (!fs::exists(fs::symlink_status(m_final / n))) continue;
        if (set_aside.empty()) fs::create_directories(m_replaced, ec);
        if (!ec) fs::rename(m_final / n, m_replaced / n, ec);
        if (ec) {
            rollBack();
            throw Error("--out " + m_final.string() + ": cannot replace " + n.string() + " (" + ec.message() +
                        "); check that it is writable, or choose another --out");
        }
        set_aside.push_back(n);
    }
    for (const fs::path& n : names) {
        fs::rename(m_stage / n, m_final / n, ec);
        if (ec) {
            rollBack();
            throw Error("--out " + m_final.string() + ": cannot move " + n.string() + " into place (" + ec.message() + ")");
        }
        moved_in.push_back(n);
    }
    m_committed = true;
    fs::remove_all(m_replaced, ec);
    fs::remove_all(m_stage, ec);
}

}  // namespace phusong::io
