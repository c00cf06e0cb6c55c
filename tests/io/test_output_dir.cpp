#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "phusong/io/output_dir.hpp"

namespace fs = std::filesystem;
using phusong::io::StagedOutput;

namespace {
// The host part of the staging folders' names, as StagedOutput writes them: read from one
// (".probe.partial-HOST-PID") rather than worked out again here.
std::string stagingHost(const fs::path& dir) {
    const StagedOutput probe(dir / "probe");
    const std::string name = fs::path(probe.path("x")).parent_path().filename().string();
    const std::string prefix = ".probe.partial-", pid = "-" + std::to_string(::getpid());
    return name.substr(prefix.size(), name.size() - prefix.size() - pid.size());
}

// A pid that no process has: a child that has exited and been reaped.
pid_t deadPid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

fs::path makeFolder(const fs::path& p) {
    fs::create_directories(p);
    std::ofstream(p / "signal_4G.tif") << "partial";
    return p;
}
}  // namespace

// An interrupted run (Ctrl-C, killed) leaves its hidden staging folder behind; the next run into
// the same --out on this host removes it, and leaves alone those of live processes, of other
// hosts (a shared disk) and of other output folders.
TEST(StagedOutput, RemovesTheStagingFoldersOfInterruptedRuns) {
    const fs::path dir = fs::temp_directory_path() / ("phusong_staging_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string host = stagingHost(dir);
    const pid_t dead = deadPid();
    const fs::path stale = makeFolder(dir / (".out.partial-" + host + "-" + std::to_string(dead)));
    const fs::path live = makeFolder(dir / (".out.partial-" + host + "-" + std::to_string(::getppid())));
    const fs::path other_host = makeFolder(dir / (".out.partial-elsewhere-" + std::to_string(dead)));
    const fs::path other_out = makeFolder(dir / (".other.partial-" + host + "-" + std::to_string(dead)));
    {
        StagedOutput staged(dir / "out");
        EXPECT_FALSE(fs::exists(stale));
        EXPECT_TRUE(fs::exists(live));
        EXPECT_TRUE(fs::exists(other_host));
        EXPECT_TRUE(fs::exists(other_out));
        const fs::path mine = fs::path(staged.path("x")).parent_path();
        EXPECT_EQ(mine.filename().string(), ".out.partial-" + host + "-" + std::to_string(::getpid()));
        EXPECT_TRUE(fs::is_directory(mine));
    }
    // Not committed: its own staging folder is gone too, and no output appeared.
    EXPECT_FALSE(fs::exists(dir / ("out")));
    EXPECT_FALSE(fs::exists(dir / (".out.partial-" + host + "-" + std::to_string(::getpid()))));
    fs::remove_all(dir);
}

namespace {
std::string readAll(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

// A run into an --out that holds an earlier run's outputs replaces them: files and whole folders of
// the same names (an earlier coverage/ with a raster this run does not write goes), while other
// files there stay. It used to fail ("cannot rename: Directory not empty") on any folder.
TEST(StagedOutput, ReplacesAnEarlierRunsOutputs) {
    const fs::path dir = fs::temp_directory_path() / ("phusong_replace_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path out = dir / "run";
    {
        StagedOutput first(out);
        std::ofstream(first.path("summary.json")) << "first";
        fs::create_directories(first.path("coverage"));
        std::ofstream(first.path("coverage/signal_4G.tif")) << "first 4G";
        std::ofstream(first.path("coverage/signal_5G.tif")) << "first 5G";
        first.commit();
    }
    std::ofstream(out / "notes.txt") << "the planner's own notes";
    {
        StagedOutput second(out);
        std::ofstream(second.path("summary.json")) << "second";
        fs::create_directories(second.path("coverage"));
        std::ofstream(second.path("coverage/signal_4G.tif")) << "second 4G";
        second.commit();
    }
    EXPECT_EQ(readAll(out / "summary.json"), "second");
    EXPECT_EQ(readAll(out / "coverage/signal_4G.tif"), "second 4G");
    EXPECT_FALSE(fs::exists(out / "coverage/signal_5G.tif"));  // the earlier run's, not this one's
    EXPECT_EQ(readAll(out / "notes.txt"), "the planner's own notes");
    for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename(), "run") << "left behind: " << e.path();
    fs::remove_all(dir);
}

// Paths that outputs record name the files as they will be after commit(): a file inside a live
// staging folder maps to its final folder, through nested stagings (a plan staged inside a
// scenario run), and nothing else moves.
TEST(StagedOutput, DisplayPathNamesTheFinalFolder) {
    const fs::path dir = fs::temp_directory_path() / ("phusong_display_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    using phusong::io::displayPath;
    const std::string elsewhere = (dir / "inputs" / "sites.csv").string();
    std::string staged_sites;
    {
        StagedOutput run(dir / "bg24");
        staged_sites = run.path("inputs/sites.csv");
        EXPECT_NE(staged_sites, (dir / "bg24" / "inputs" / "sites.csv").string());  // staged elsewhere
        EXPECT_EQ(displayPath(staged_sites), (dir / "bg24" / "inputs" / "sites.csv").string());
        EXPECT_EQ(displayPath(run.path("")), (dir / "bg24").string());
        {
            StagedOutput plan(run.path("plan"));
            EXPECT_EQ(displayPath(plan.path("plan_sectors.csv")), (dir / "bg24" / "plan" / "plan_sectors.csv").string());
            EXPECT_EQ(displayPath(staged_sites), (dir / "bg24" / "inputs" / "sites.csv").string());
        }
        EXPECT_EQ(displayPath(elsewhere), elsewhere);
        EXPECT_EQ(displayPath("sites.csv"), "sites.csv");
        // A sibling whose name merely starts like the staging folder is not inside it.
        const fs::path stage = fs::path(run.path("x")).parent_path();
        const std::string sibling = (stage.parent_path() / (stage.filename().string() + "x") / "a.csv").string();
        EXPECT_EQ(displayPath(sibling), sibling);
    }
    // Once the output is gone, its staging folder maps to nothing.
    EXPECT_EQ(displayPath(staged_sites), staged_sites);
    fs::remove_all(dir);
}
