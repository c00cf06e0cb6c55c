// The CLI's entry, shared by `phusong` and the MPI build `phusong-mpi`: parse, run the chosen
// command, map errors to exit codes (0 ok, 1 internal error, 2 bad input or usage).

#include <iostream>

#include "commands.hpp"
#include "phusong/core/error.hpp"

namespace phusong::cli {

ScaleOut& scaleOut() {
    static ScaleOut s;
    return s;
}

int runCli(int argc, char** argv) {
    CLI::App app{"phusong " PHUSONG_VERSION ": radio coverage planning for 2G/3G/4G/5G networks", "phusong"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("phusong ") + PHUSONG_VERSION);
    cli::Context ctx;
    for (int i = 0; i < argc; ++i) ctx.command_line += (i ? " " : "") + std::string(argv[i]);
    cli::addCoverage(app, ctx);
    cli::addPathloss(app, ctx);
    cli::addSynthTerrain(app, ctx);
    cli::addDemo(app, ctx);
    cli::addProfile(app, ctx);
    cli::addViewshed(app, ctx);
    cli::addCalibrate(app, ctx);
    cli::addOptimize(app, ctx);
    cli::addPlan(app, ctx);
    cli::addRun(app, ctx);
    cli::addCompare(app, ctx);
    cli::addAntennas(app, ctx);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    if (!app.get_subcommands().empty() && !scaleOut().allowed(app.get_subcommands().front()->get_name())) {
        std::cerr << "phusong: error: `" << app.get_subcommands().front()->get_name()
                  << "` runs in one process; under MPI (phusong-mpi) only `coverage` is split over ranks\n";
        return 2;
    }
    try {
        return ctx.action ? ctx.action() : 2;
    } catch (const InputError& e) {
        std::cerr << "phusong: error: " << e.what() << "\n";
        return 2;
    } catch (const Error& e) {
        std::cerr << "phusong: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "phusong: internal error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace phusong::cli
