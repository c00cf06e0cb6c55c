// GIS outputs read back with GDAL: QGIS styles are valid XML with one item per class, KMZ
// archives hold doc.kml first with the raster's footprint, coverage polygons have the area of
// the pixels above threshold, boundaries mask the grid, web overlays are Web Mercator PNGs.

#include <cpl_minixml.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/gis.hpp"
#include "phusong/io/raster_writer.hpp"

namespace fs = std::filesystem;
using namespace phusong;

namespace {
class Gis : public ::testing::Test {
protected:
    void SetUp() override {
        io::initGdal();
        m_dir = fs::temp_directory_path() / ("phusong_gis_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
                                             std::to_string(::getpid()));
        fs::create_directories(m_dir);
        // 100 x 80 px at 50 m in UTM 48N near Bắc Giang; a 20 x 10 px block at -80 dBm, the rest -120.
        m_crs = io::Crs::fromEpsg(32648);
        Grid<float> g(100, 80, GeoTransform{600000.0, 2360000.0, 50.0, 50.0}, -120.0f, std::numeric_limits<float>::quiet_NaN());
        for (int r = 30; r < 40; ++r)
            for (int c = 10; c < 30; ++c) g.at(c, r) = -80.0f;
        g.at(0, 0) = std::numeric_limits<float>::quiet_NaN();
        m_raster = (m_dir / "signal_4G.tif").string();
        io::writeCog(m_raster, g, m_crs, {"4G RSRP", "dBm", {}});
    }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path m_dir;
    io::Crs m_crs;
    std::string m_raster;
};

// A written file parsed as XML (null when it is not well-formed), freed with the pointer.
using XmlPtr = std::unique_ptr<CPLXMLNode, decltype(&CPLDestroyXMLNode)>;
XmlPtr readXml(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return XmlPtr(CPLParseXMLString(ss.str().c_str()), &CPLDestroyXMLNode);
}
}  // namespace

TEST_F(Gis, RampClassifiesEveryValue) {
    const io::ColorRamp r = io::signalRamp(Technology::G4, -110.0);
    EXPECT_EQ(r.classify(-115.0)->a, 0) << "below threshold is transparent";
    EXPECT_EQ(r.classify(-110.0)->a, 0) << "the class upper bound is inclusive";
    EXPECT_EQ(r.classify(-105.0), &r.classes[1]);
    EXPECT_EQ(r.classify(-60.0), &r.classes.back());
    EXPECT_EQ(r.classify(std::nan("")), nullptr);
}

// The location-probability ramp: nothing drawn at or below 50 %, then the planners' usual steps;
// the classes break at 90 % and 95 % of locations, the usual coverage confidences.
TEST_F(Gis, ProbabilityRampHidesBelowHalfAndBreaksAtTheUsualConfidences) {
    const io::ColorRamp r = io::probabilityRamp(Technology::G5);
    EXPECT_EQ(r.classify(std::numeric_limits<double>::quiet_NaN()), nullptr);
    EXPECT_EQ(r.classify(0.0)->a, 0);
    EXPECT_EQ(r.classify(50.0)->a, 0);
    EXPECT_EQ(r.classify(50.1)->label, "50 to 75 %");
    EXPECT_EQ(r.classify(89.9)->label, "75 to 90 %");
    EXPECT_EQ(r.classify(92.0)->label, "90 to 95 %");
    EXPECT_EQ(r.classify(95.5)->label, "95 % or more");
    EXPECT_EQ(r.classify(100.0)->label, "95 % or more");
    EXPECT_NE(r.title.find("5G"), std::string::npos);
}

TEST_F(Gis, QmlIsValidQgisStyleWithOneItemPerClass) {
    const io::ColorRamp ramp = io::signalRamp(Technology::G4, -110.0);
    io::writeQml(m_raster, ramp);
    const fs::path qml = m_dir / "signal_4G.qml";
    ASSERT_TRUE(fs::exists(qml));
    const XmlPtr xml = readXml(qml);
    const CPLXMLNode* root = xml.get();
    ASSERT_NE(root, nullptr) << "not well-formed XML";
    const CPLXMLNode* shader = CPLGetXMLNode(root, "=qgis.pipe.rasterrenderer.rastershader.colorrampshader");
    ASSERT_NE(shader, nullptr);
    EXPECT_STREQ(CPLGetXMLValue(CPLGetXMLNode(root, "=qgis.pipe.rasterrenderer"), "type", ""), "singlebandpseudocolor");
    EXPECT_STREQ(CPLGetXMLValue(shader, "colorRampType", ""), "DISCRETE");
    size_t items = 0;
    for (const CPLXMLNode* c = shader->psChild; c; c = c->psNext)
        if (c->eType == CXT_Element && std::string(c->pszValue) == "item") {
            EXPECT_STREQ(CPLGetXMLValue(c, "label", ""), ramp.classes[items].label.c_str());
            ++items;
        }
    EXPECT_EQ(items, ramp.classes.size());
}

// Service areas as a planar map (each pixel to its nearest of 40 seeded points): every two
// classes whose pixels touch get different colours from the 12 of the palette, counted here
// independently of classColours().
TEST_F(Gis, NeighbouringServiceAreasGetDifferentColours) {
    const int w = 160, h = 120;
    Grid<int32_t> labels(w, h, GeoTransform{}, -1, -1);
    std::vector<std::pair<int, int>> seeds;
    uint32_t state = 12345;
    auto next = [&](int n) { state = state * 1664525u + 1013904223u; return static_cast<int>((state >> 8) % static_cast<uint32_t>(n)); };
    for (int i = 0; i < 40; ++i) seeds.emplace_back(next(w), next(h));
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            int best = 0;
            for (int i = 1; i < 40; ++i) {
                auto d2 = [&](int k) { return (c - seeds[k].first) * (c - seeds[k].first) + (r - seeds[k].second) * (r - seeds[k].second); };
                if (d2(i) < d2(best)) best = i;
            }
            labels.at(c, r) = c < 5 ? -1 : 100 + best;  // a nodata strip on the left
        }
    std::vector<int32_t> values;
    for (int i = 0; i < 40; ++i) values.push_back(100 + i);
    const std::vector<int> colour = io::classColours(labels, values, 12);
    ASSERT_EQ(colour.size(), values.size());
    int pairs = 0;
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            const int32_t a = labels.at(c, r);
            for (const auto& [dc, dr] : {std::pair{1, 0}, std::pair{0, 1}}) {
                if (c + dc >= w || r + dr >= h) continue;
                const int32_t b = labels.at(c + dc, r + dr);
                if (a < 0 || b < 0 || a == b) continue;
                ++pairs;
                EXPECT_NE(colour[static_cast<size_t>(a - 100)], colour[static_cast<size_t>(b - 100)]) << a << " touches " << b;
            }
        }
    EXPECT_GT(pairs, 100);
    for (int k : colour) EXPECT_TRUE(k >= 0 && k < 12);
    // Three classes that all touch cannot be told apart with two colours: the third (bottom row)
    // takes the colour of the class it shares the shorter boundary with (class 0: one pixel edge,
    // class 1: two).
    Grid<int32_t> tri(3, 2, GeoTransform{}, -1, -1);
    tri.at(0, 0) = 0, tri.at(1, 0) = 1, tri.at(2, 0) = 1, tri.at(0, 1) = 2, tri.at(1, 1) = 2, tri.at(2, 1) = 2;
    EXPECT_EQ(io::classColours(tri, {0, 1, 2}, 2), (std::vector<int>{0, 1, 0}));
}

// The best-server style: a paletted QGIS renderer with one entry per server in the raster's
// classes, labelled by its site_id, neighbouring servers in different colours.
TEST_F(Gis, ServerStyleIsAPalettedRendererLabelledBySite) {
    const std::string raster = (m_dir / "best_server_4G.tif").string();
    Grid<int32_t> g(4, 2, GeoTransform{600000.0, 2400000.0, 30.0, 30.0}, 0, -1);
    g.at(2, 0) = g.at(3, 0) = g.at(2, 1) = g.at(3, 1) = 5;
    io::RasterClasses cl;
    cl.columns = {"site_id", "operator"};
    cl.rows = {{0, {"BG_0001_4G", "Viettel"}}, {5, {"BG_0002_4G", "VNPT"}}, {9, {"BG_0003_4G", "VNPT"}}};
    io::writeCog(raster, g, io::Crs::fromEpsg(32648), {"4G best server", "", {}}, cl);
    io::writeServerQml(raster, "4G best server");
    const XmlPtr xml = readXml(m_dir / "best_server_4G.qml");
    const CPLXMLNode* root = xml.get();
    ASSERT_NE(root, nullptr) << "not well-formed XML";
    const CPLXMLNode* renderer = CPLGetXMLNode(root, "=qgis.pipe.rasterrenderer");
    ASSERT_NE(renderer, nullptr);
    EXPECT_STREQ(CPLGetXMLValue(renderer, "type", ""), "paletted");
    const CPLXMLNode* palette = CPLGetXMLNode(renderer, "colorPalette");
    ASSERT_NE(palette, nullptr);
    std::vector<std::string> values, labels, colours;
    for (const CPLXMLNode* c = palette->psChild; c; c = c->psNext)
        if (c->eType == CXT_Element && std::string(c->pszValue) == "paletteEntry") {
            values.emplace_back(CPLGetXMLValue(c, "value", ""));
            labels.emplace_back(CPLGetXMLValue(c, "label", ""));
            colours.emplace_back(CPLGetXMLValue(c, "color", ""));
        }
    EXPECT_EQ(values, (std::vector<std::string>{"0", "5", "9"}));
    EXPECT_EQ(labels, (std::vector<std::string>{"BG_0001_4G", "BG_0002_4G", "BG_0003_4G"}));
    EXPECT_NE(colours[0], colours[1]) << "servers 0 and 5 touch";
    // A raster without classes cannot be styled by server and says so.
    const std::string plain = (m_dir / "plain.tif").string();
    io::writeCog(plain, g, io::Crs::fromEpsg(32648), {"no classes", "", {}});
    EXPECT_THROW(io::writeServerQml(plain, "x"), Error);
}

TEST_F(Gis, KmzHoldsKmlOverlayAndLegendOverTheRasterFootprint) {
    const std::string kmz = (m_dir / "signal_4G.kmz").string();
    io::writeKmz(kmz, m_raster, io::signalRamp(Technology::G4, -110.0), "test");
    char** files = VSIReadDir(("/vsizip/" + kmz).c_str());
    ASSERT_NE(files, nullptr);
    ASSERT_GE(CSLCount(files), 3);
    EXPECT_STREQ(files[0], "doc.kml") << "KMZ readers take the first KML";
    CSLDestroy(files);
    // The LatLonBox matches the raster's footprint in WGS 84 (to the warp's pixel).
    VSILFILE* f = VSIFOpenL(("/vsizip/" + kmz + "/doc.kml").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    std::string kml(8192, '\0');
    kml.resize(VSIFReadL(kml.data(), 1, kml.size(), f));
    VSIFCloseL(f);
    auto value = [&](const std::string& tag) {
        const auto a = kml.find("<" + tag + ">") + tag.size() + 2;
        return std::stod(kml.substr(a, kml.find("</" + tag + ">") - a));
    };
    io::Projector p(m_crs);
    const LatLon nw = p.toLatLon({600000.0, 2360000.0}), se = p.toLatLon({605000.0, 2356000.0});
    EXPECT_NEAR(value("north"), nw.lat_deg, 0.002);
    EXPECT_NEAR(value("west"), nw.lon_deg, 0.002);
    EXPECT_NEAR(value("south"), se.lat_deg, 0.002);
    EXPECT_NEAR(value("east"), se.lon_deg, 0.002);
    EXPECT_NE(kml.find("<ScreenOverlay>"), std::string::npos);
    // The overlay is a PNG with transparent pixels where the signal is below threshold.
    GDALDataset* png = static_cast<GDALDataset*>(GDALOpen(("/vsizip/" + kmz + "/overlay.png").c_str(), GA_ReadOnly));
    ASSERT_NE(png, nullptr);
    EXPECT_EQ(png->GetRasterCount(), 4);
    GDALClose(png);
    GDALDataset* legend = static_cast<GDALDataset*>(GDALOpen(("/vsizip/" + kmz + "/legend.png").c_str(), GA_ReadOnly));
    ASSERT_NE(legend, nullptr);
    EXPECT_GT(legend->GetRasterXSize(), 100);
    GDALClose(legend);
}

TEST_F(Gis, CoveragePolygonsHaveTheAreaOfThePixelsAboveThreshold) {
    const std::string gpkg = (m_dir / "cov.gpkg").string();
    io::writeCoveragePolygons(gpkg, "coverage_4G", m_raster, Technology::G4, {-110.0, -70.0});
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    ASSERT_NE(ds, nullptr);
    OGRLayer* l = ds->GetLayerByName("coverage_4G");
    ASSERT_NE(l, nullptr);
    ASSERT_EQ(l->GetFeatureCount(), 2);
    OGRFeature* f = l->GetNextFeature();
    EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("threshold_dbm"), -110.0);
    // 20 x 10 pixels of 50 m = 0.5 km², measured on the polygon itself.
    const double area_km2 = f->GetGeometryRef()->toMultiPolygon()->get_Area() / 1e6;
    EXPECT_NEAR(area_km2, 0.5, 1e-9);
    EXPECT_NEAR(f->GetFieldAsDouble("area_km2"), 0.5, 1e-9);
    OGRFeature::DestroyFeature(f);
    f = l->GetNextFeature();
    EXPECT_EQ(f->GetGeometryRef()->toMultiPolygon()->getNumGeometries(), 0) << "nothing reaches -70 dBm";
    OGRFeature::DestroyFeature(f);
    GDALClose(ds);
}

TEST_F(Gis, PointLayerRoundTripsAndSampleReadsThePixel) {
    io::Projector p(m_crs);
    const LatLon inside = p.toLatLon({600000.0 + 20 * 50 + 25, 2360000.0 - 35 * 50 - 25});  // in the -80 block
    const LatLon outside = p.toLatLon({600000.0 + 60 * 50 + 25, 2360000.0 - 10 * 50 - 25});
    const LatLon off = p.toLatLon({590000.0, 2360000.0});
    const auto v = io::sampleRaster(m_raster, {inside, outside, off});
    EXPECT_DOUBLE_EQ(v[0], -80.0);
    EXPECT_DOUBLE_EQ(v[1], -120.0);
    EXPECT_TRUE(std::isnan(v[2]));
    io::PointLayer pl;
    pl.name = "villages";
    pl.columns = {{"village_id", 's'}, {"population", 'r'}, {"covered_4g", 'i'}};
    pl.points = {inside, outside};
    pl.values = {{"V1", "1200", "1"}, {"V2", "", "0"}};
    const std::string gpkg = (m_dir / "v.gpkg").string();
    io::writePointLayer(gpkg, pl);
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    ASSERT_NE(ds, nullptr);
    OGRLayer* l = ds->GetLayerByName("villages");
    ASSERT_EQ(l->GetFeatureCount(), 2);
    OGRFeature* f = l->GetNextFeature();
    EXPECT_STREQ(f->GetFieldAsString("village_id"), "V1");
    EXPECT_EQ(f->GetFieldAsInteger("covered_4g"), 1);
    EXPECT_NEAR(f->GetGeometryRef()->toPoint()->getX(), inside.lon_deg, 1e-9);
    OGRFeature::DestroyFeature(f);
    f = l->GetNextFeature();
    EXPECT_FALSE(f->IsFieldSetAndNotNull(f->GetFieldIndex("population"))) << "empty values are null";
    OGRFeature::DestroyFeature(f);
    GDALClose(ds);
}

TEST_F(Gis, BoundaryMasksOutsideCellsAndWebOverlayIsMercator) {
    io::Projector p(m_crs);
    // A square of 20 x 20 pixels in the grid's corner.
    const LatLon a = p.toLatLon({600000.0, 2360000.0}), b = p.toLatLon({601000.0, 2359000.0});
    std::ostringstream wkt;
    wkt.precision(12);
    wkt << "POLYGON((" << a.lon_deg << " " << a.lat_deg << "," << b.lon_deg << " " << a.lat_deg << "," << b.lon_deg << " " << b.lat_deg << ","
        << a.lon_deg << " " << b.lat_deg << "," << a.lon_deg << " " << a.lat_deg << "))";
    DemGrid g(100, 80, GeoTransform{600000.0, 2360000.0, 50.0, 50.0}, 10.0f, std::numeric_limits<float>::quiet_NaN());
    const long long kept = io::maskOutside(g, m_crs, {wkt.str()});
    // The lat/lon square is not exactly the UTM square (grid convergence): within a row or column.
    EXPECT_NEAR(static_cast<double>(kept), 400.0, 45.0);
    EXPECT_FALSE(std::isnan(g.at(5, 5)));
    EXPECT_TRUE(std::isnan(g.at(60, 60)));
    const io::WebOverlay w = io::writeWebOverlay((m_dir / "o.png").string(), m_raster, io::signalRamp(Technology::G4, -110.0), 64);
    EXPECT_LE(std::max(w.width, w.height), 64);
    EXPECT_NEAR(w.north, a.lat_deg, 0.01);
    EXPECT_NEAR(w.west, a.lon_deg, 0.01);
    EXPECT_TRUE(fs::exists(m_dir / "o.png"));
}
