#pragma once
/// @file text_file.hpp
/// Whole-file text reading through GDAL's virtual file system, so that `.gz` files (the rail
/// instances are distributed gzipped) read like plain ones.

#include <string>

namespace phusong::io {

/// The contents of @p path, decompressed when it ends in ".gz". Throws InputError naming the path.
std::string readTextFile(const std::string& path);

}  // namespace phusong::io
