#pragma once
/// @file error.hpp
/// The single exception root of phusong. Configuration, precondition and I/O failures throw
/// phusong::Error or a subclass; messages name the file, line or field and say how to fix it.

#include <stdexcept>
#include <string>

namespace phusong {

/// Root of every exception phusong throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad user input (files, fields, flags). The CLI maps it to exit code 2.
class InputError : public Error {
public:
    using Error::Error;
};

/// Closest candidate to @p word among @p candidates by edit distance, or "" if none is within
/// @p max_distance. Used to suggest the intended column or option name in error messages.
std::string closestMatch(const std::string& word, const std::initializer_list<const char*>& candidates,
                         int max_distance = 2);

/// @p v as a message shows a value the user gave: printf's %g (1.8, 1800, 0.005).
std::string formatNumber(double v);

}  // namespace phusong
