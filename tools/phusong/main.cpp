// phusong: coverage planning for 2G/3G/4G/5G networks.

#include "commands.hpp"

int main(int argc, char** argv) { return phusong::cli::runCli(argc, argv); }
