#include "phusong/core/csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "phusong/core/error.hpp"

namespace phusong {

namespace {
std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

// Splits one logical CSV record starting at text[pos]; advances pos and the line counter.
std::vector<std::string> splitRecord(const std::string& text, size_t& pos, int& line, const std::string& source) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    const int start_line = line;
    while (pos < text.size()) {
        const char c = text[pos];
        if (quoted) {
            if (c == '"') {
                if (pos + 1 < text.size() && text[pos + 1] == '"') {
                    field.push_back('"');
                    pos += 2;
                    continue;
                }
                quoted = false;
            } else {
                if (c == '\n') ++line;
                field.push_back(c);
            }
            ++pos;
            continue;
        }
        if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(field);
            field.clear();
        } else if (c == '\n') {
            ++pos;
            ++line;
            out.push_back(field);
            return out;
        } else if (c != '\r') {
            field.push_back(c);
        }
        ++pos;
    }
    if (quoted) {
        throw InputError(source + " line " + std::to_string(start_line) +
                         ": unterminated quoted field; close the '\"' or remove it");
    }
    out.push_back(field);
    ++line;
    return out;
}
}  // namespace

const std::string& Record::get(const std::string& column) const {
    static const std::string empty;
    const auto it = fields.find(column);
    return it == fields.end() ? empty : it->second;
}

Table parseCsv(const std::string& text, const std::string& source) {
    Table table;
    table.source = source;
    size_t pos = 0;
    int line = 1;
    // Skip a UTF-8 byte-order mark written by spreadsheet programs.
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) pos = 3;
    bool have_header = false;
    while (pos < text.size()) {
        const int this_line = line;
        std::vector<std::string> cells = splitRecord(text, pos, line, source);
        const bool blank = std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return trim(c).empty(); });
        if (blank) continue;
        if (!cells.empty() && trim(cells[0]).rfind('#', 0) == 0) continue;
        if (!have_header) {
            std::set<std::string> seen;
            for (auto& c : cells) {
                std::string name = trim(c);
                std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
                if (!seen.insert(name).second) {
                    throw InputError(source + " line " + std::to_string(this_line) + ": column '" + name +
                                     "' appears twice in the header; rename or remove one");
                }
                table.columns.push_back(name);
            }
            // Spreadsheets set to a locale with a decimal comma (Vietnamese, most of Europe) save
            // "CSV" with ';' (or a tab) between fields: the whole header is then one column.
            if (table.columns.size() == 1) {
                const std::string& h = table.columns[0];
                const char* sep = h.find(';') != std::string::npos ? "';'" : h.find('\t') != std::string::npos ? "tabs" : nullptr;
                if (sep) {
                    throw InputError(source + " line " + std::to_string(this_line) + ": fields are separated by " + sep +
                                     ", not commas (a spreadsheet in a locale with a decimal comma writes such files); save it "
                                     "as comma-separated CSV with '.' as the decimal separator (LibreOffice: field delimiter ','; "
                                     "Excel: 'CSV UTF-8 (Comma delimited)' with '.' decimals)");
                }
            }
            have_header = true;
            continue;
        }
        if (cells.size() != table.columns.size()) {
            throw InputError(source + " line " + std::to_string(this_line) + ": " + std::to_string(cells.size()) +
                             " fields but the header has " + std::to_string(table.columns.size()) +
                             "; check for a missing or extra comma");
        }
        Record r;
        r.location = source + " line " + std::to_string(this_line);
        for (size_t i = 0; i < cells.size(); ++i) r.fields[table.columns[i]] = trim(cells[i]);
        table.rows.push_back(std::move(r));
    }
    if (!have_header) throw InputError(source + ": empty file; expected a header line with column names");
    return table;
}

Table readCsvFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open file; check the path and permissions");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parseCsv(ss.str(), path);
}

double parseNumber(const std::string& value, const std::string& location, const std::string& field) {
    const std::string v = trim(value);
    double out = 0.0;
    const char* first = v.data();
    const char* last = v.data() + v.size();
    if (!v.empty() && *first == '+') ++first;
    const auto [ptr, ec] = std::from_chars(first, last, out);
    if (v.empty() || ec != std::errc() || ptr != last || !std::isfinite(out)) {
        throw InputError(location + ": field '" + field + "' = '" + value + "' is not a number; write a decimal such as 12.5");
    }
    return out;
}

}  // namespace phusong
