#pragma once
/// @file csv.hpp
/// A small RFC 4180 CSV reader that keeps line numbers, so errors can name them.

#include <map>
#include <string>
#include <vector>

namespace phusong {

/// One data row: field values by column name, and where it came from ("sites.csv line 4").
struct Record {
    std::string location;
    std::map<std::string, std::string> fields;

    /// Value of @p column, or "" when the column is absent.
    const std::string& get(const std::string& column) const;
    bool has(const std::string& column) const { return fields.count(column) != 0; }
};

/// A table of records with the column names in file order.
struct Table {
    std::string source;  ///< file name used in messages
    std::vector<std::string> columns;
    std::vector<Record> rows;
};

/// Parses CSV text. Column names are trimmed and lower-cased; values are trimmed.
/// Blank lines and lines starting with '#' are skipped. Throws InputError on ragged rows,
/// unterminated quotes or duplicate column names, naming @p source and the line.
Table parseCsv(const std::string& text, const std::string& source);

/// Reads and parses a CSV file. Throws InputError when it cannot be read.
Table readCsvFile(const std::string& path);

/// Parses a floating-point field strictly (the whole string must be a finite number).
/// Throws InputError naming @p location and @p field when it is not.
double parseNumber(const std::string& value, const std::string& location, const std::string& field);

}  // namespace phusong
