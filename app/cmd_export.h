// `eventloop-trace export-js SCENARIO`: the scenario as a standalone Node program, on
// standard output (core/export/js_export.h says what it contains).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace elt::app {

// A subcommand main.cpp registers: its CLI11 node, and what runs it (giving the exit code).
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command add_export_command(CLI::App& app);

}  // namespace elt::app
