#include <gtest/gtest.h>

#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"

using namespace phusong;

TEST(Csv, ParsesHeaderRowsAndLineNumbers) {
    const Table t = parseCsv("A, b ,c\n1,2,3\n\n# comment\n\"x,y\",\"he said \"\"hi\"\"\",5\n", "f.csv");
    ASSERT_EQ(t.columns, (std::vector<std::string>{"a", "b", "c"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].location, "f.csv line 2");
    EXPECT_EQ(t.rows[1].location, "f.csv line 5");
    EXPECT_EQ(t.rows[1].get("a"), "x,y");
    EXPECT_EQ(t.rows[1].get("b"), "he said \"hi\"");
    EXPECT_EQ(t.rows[0].get("missing"), "");
}

TEST(Csv, CrLfAndBom) {
    const Table t = parseCsv("\xEF\xBB\xBFx,y\r\n1,2\r\n", "f.csv");
    ASSERT_EQ(t.columns.size(), 2u);
    EXPECT_EQ(t.columns[0], "x");
    EXPECT_EQ(t.rows[0].get("y"), "2");
}

TEST(Csv, RaggedRowNamesLine) {
    try {
        parseCsv("a,b\n1,2\n1,2,3\n", "s.csv");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("s.csv line 3"), std::string::npos) << e.what();
    }
}

// A spreadsheet in a decimal-comma locale saves ';'- or tab-separated "CSV": the message says so
// and how to save it, instead of counting fields. A one-column file without either still parses.
TEST(Csv, SemicolonOrTabSeparatedFilesAreNamed) {
    for (const char* text : {"site_id;lat;lon\nA;16,05;108,2\n", "site_id\tlat\tlon\nA\t16.05\t108.2\n"}) {
        try {
            parseCsv(text, "sites.csv");
            FAIL() << text;
        } catch (const InputError& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("sites.csv line 1"), std::string::npos) << m;
            EXPECT_NE(m.find("not commas"), std::string::npos) << m;
            EXPECT_NE(m.find("comma-separated"), std::string::npos) << m;
        }
    }
    const Table t = parseCsv("village_id\nV1\n", "v.csv");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].get("village_id"), "V1");
}

TEST(Csv, DuplicateColumnAndUnterminatedQuote) {
    EXPECT_THROW(parseCsv("a,A\n1,2\n", "s.csv"), InputError);
    EXPECT_THROW(parseCsv("a,b\n\"1,2\n", "s.csv"), InputError);
    EXPECT_THROW(parseCsv("", "s.csv"), InputError);
}

TEST(Csv, ParseNumberIsStrict) {
    EXPECT_DOUBLE_EQ(parseNumber(" 12.5 ", "x", "f"), 12.5);
    EXPECT_DOUBLE_EQ(parseNumber("+3", "x", "f"), 3.0);
    EXPECT_DOUBLE_EQ(parseNumber("-1e3", "x", "f"), -1000.0);
    EXPECT_THROW(parseNumber("12m", "x", "f"), InputError);
    EXPECT_THROW(parseNumber("", "x", "f"), InputError);
    EXPECT_THROW(parseNumber("nan", "x", "f"), InputError);
    EXPECT_THROW(parseNumber("inf", "x", "f"), InputError);
}
