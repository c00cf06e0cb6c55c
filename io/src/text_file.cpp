#include "phusong/io/text_file.hpp"

#include <cpl_vsi.h>

#include <filesystem>

#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"

namespace phusong::io {

std::string readTextFile(const std::string& path) {
    initGdal();
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
    const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    const std::string vsi = gz ? "/vsigzip/" + path : path;
    VSILFILE* f = VSIFOpenL(vsi.c_str(), "rb");
    if (!f) throw InputError(path + ": cannot open for reading");
    std::string text;
    char buf[1 << 16];
    for (;;) {
        const size_t got = VSIFReadL(buf, 1, sizeof buf, f);
        text.append(buf, got);
        if (got == 0) break;
    }
    VSIFCloseL(f);
    if (gz && text.empty()) throw InputError(path + ": empty or corrupt gzip stream");
    return text;
}

}  // namespace phusong::io
