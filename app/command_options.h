// Which options each command honours, and the checks on an option's value, in the tool's
// own words rather than CLI11's ("Value abc not in range 1 to 1024" is wrong about the
// problem: abc is no number at all).
//
// The run options (--threads, --clock, --format, ...) are declared on the top level, so a
// command's name may come after them, and on check, step and html again. A command that
// cannot use one refuses it with exit 2 and the reason, whichever side it was written on:
// an option listed and silently ignored (`html --format chrome` writing the usual page)
// teaches the wrong thing. The table in command_options.cpp says, per command, what it
// honours; everything else is refused there, in one place.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace elt::app {

// A whole number from `lo` to `hi`: "abc" is "not a number", "1.5" "not a whole number",
// 0 "out of range". CLI11 puts "--name: " in front of the message.
// The help shows `description` after the option's type, as CLI11's own Range does.
CLI::Validator whole_number(long long lo, long long hi, std::string description);
CLI::Validator whole_number(long long lo, long long hi);  // described "INT in [lo - hi]"
// One of `values`: "\"foo\" is not one of real, virtual" (described "{real,virtual}").
CLI::Validator one_of(std::vector<std::string> values);

// Refuses (UsageError) any run option that the command `sub` (nullptr: a plain run) does
// not honour and that was given on the top level `app` or on the command's own copy.
void refuse_unhonoured(const CLI::App& app, const CLI::App* sub);

// CLI11's messages for a missing value or argument, reworded: "scenario is required"
// becomes what the command needs and how to write it.
std::string missing_argument_message(const CLI::App* sub, const std::string& cli11_message);
// "--threads: 1 required INT:INT in [1 - 1024] missing" (an option at the end of the line,
// without its value) becomes "--threads needs a value: ...".
std::string missing_value_message(const std::string& cli11_message);

// Where `html` writes without -o: NAME.html beside the scenario NAME.json.
std::string default_page_path(const std::string& scenario);

}  // namespace elt::app
