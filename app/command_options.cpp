#include "command_options.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli.h"

namespace elt::app {

namespace {

// Every option a plain run takes; check, step and html declare their own copies too.
// --mode is the plain run's (--mode output); check has a --mode of its own.
constexpr std::string_view kRunOptions[] = {"--threads", "--clock",     "--model", "--format", "--show",
                                            "--allow-read", "--allow-net", "--no-warnings", "--color", "--mode"};

struct CommandRow {
  std::string_view command;               // "" for a plain run
  std::vector<std::string_view> honours;  // the run options it uses
  std::string_view why_not;               // why the rest change nothing in it
};

// A value of an option a command uses that still makes no sense there.
struct RefusedValue {
  std::string_view command, option, value, why;
};

// What each command does with the run options. An option added to kRunOptions is refused
// by every command whose row does not list it: a new option is never silently ignored.
const std::vector<CommandRow>& table() {
  static const std::vector<CommandRow> rows = {
      {"", {"--threads", "--clock", "--model", "--format", "--show", "--allow-read", "--allow-net", "--no-warnings",
            "--color", "--mode"}, ""},
      // Which pairs of them make a comparison meaningless is check's own business (cmd_check.cpp).
      {"check", {"--threads", "--clock", "--model", "--format", "--show", "--allow-read", "--allow-net",
                 "--no-warnings", "--color"}, "check compares whole traces"},
      {"step", {"--threads", "--clock", "--model", "--format", "--show", "--allow-read", "--allow-net",
                "--no-warnings", "--color"}, "step shows the trace between its prompts"},
      {"html", {"--threads", "--clock", "--model", "--allow-read", "--allow-net", "--no-warnings"},
       "html writes a page of its own (lanes, a stepper), not the trace's text"},
      {"export-js", {}, "export-js prints the scenario as a Node program and runs nothing"},
      {"import-js", {}, "import-js prints the scenario a JavaScript program becomes and runs nothing"},
      // verify takes --color and --no-warnings before its name too (cmd_verify.cpp reads them).
      {"verify", {"--no-warnings", "--color"},
       "verify runs every scenario under --model node on the virtual clock, with the scenario's own settings, "
       "and prints a report, not a trace"},
      // explore reads --threads, --model and --allow-read before its name too (cmd_explore.cpp).
      {"explore", {"--threads", "--model", "--allow-read"},
       "explore runs the scenario many times on the virtual clock and prints the orders it can print, not a trace"},
      {"help", {}, "help only explains; give the option to the command itself"},
  };
  return rows;
}

// step writes each line as it happens, between its prompts; text and jsonl do that, none
// hides the trace (state and where still work).
constexpr RefusedValue kRefusedValues[] = {
    {"step", "--format", "chrome",
     "chrome is a whole-run format, written only when the run ends, and step shows the trace as it goes: use text "
     "or jsonl"},
};

// A reason that fits one option better than its command's general one.
std::string_view special_reason(std::string_view option) {
  if (option == "--mode") return "--mode output is for a plain run, which then prints only what the program prints";
  return {};
}

// The value given to `option`, on the command's side if there, else on the top level.
std::string given_value(const CLI::App& app, const CLI::App* sub, std::string_view name) {
  for (const CLI::App* where : {sub, &app}) {
    if (where == nullptr) continue;
    const CLI::Option* o = where->get_option_no_throw(std::string(name));
    if (o != nullptr && o->count() > 0) return o->as<std::string>();
  }
  return {};
}

void refuse_values(const CLI::App& app, const CLI::App* sub, std::string_view command) {
  for (const auto& refused : kRefusedValues) {
    if (refused.command != command || given_value(app, sub, refused.option) != refused.value) continue;
    throw UsageError(fmt::format("{} {} does nothing useful in \"{}\": {}", refused.option, refused.value, command,
                                 refused.why));
  }
}

bool given(const CLI::App* app, std::string_view name) {
  if (app == nullptr) return false;
  const CLI::Option* o = app->get_option_no_throw(std::string(name));
  return o != nullptr && o->count() > 0;
}

}  // namespace

CLI::Validator whole_number(long long lo, long long hi) {
  return whole_number(lo, hi, fmt::format("INT in [{} - {}]", lo, hi));
}

CLI::Validator whole_number(long long lo, long long hi, std::string description) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        long long n = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        std::string range = fmt::format("give a whole number from {} to {}", lo, hi);
        if (ptr == text.data()) return fmt::format("\"{}\" is not a number: {}", text, range);
        if (ec == std::errc::result_out_of_range) return fmt::format("{} is out of range: {}", text, range);
        if (ptr != text.data() + text.size()) return fmt::format("\"{}\" is not a whole number: {}", text, range);
        if (n < lo || n > hi) return fmt::format("{} is out of range: {}", text, range);
        return {};
      },
      std::move(description));
}

CLI::Validator one_of(std::vector<std::string> values) {
  return CLI::Validator(
      [values](std::string& text) -> std::string {
        if (std::find(values.begin(), values.end(), text) != values.end()) return {};
        return fmt::format("\"{}\" is not one of {}", text, fmt::join(values, ", "));
      },
      fmt::format("{{{}}}", fmt::join(values, ",")));
}

void refuse_unhonoured(const CLI::App& app, const CLI::App* sub) {
  std::string_view command = sub != nullptr ? std::string_view(sub->get_name()) : std::string_view();
  const auto& rows = table();
  auto row = std::find_if(rows.begin(), rows.end(), [&](const CommandRow& r) { return r.command == command; });
  if (row == rows.end()) return;  // a command with no run options of its own makes no row
  refuse_values(app, sub, command);
  for (std::string_view option : kRunOptions) {
    if (std::find(row->honours.begin(), row->honours.end(), option) != row->honours.end()) continue;
    // check's own --mode (exact, per-thread, output) is not the plain run's: only the top
    // level's copy of --mode is a run option.
    bool own_copy_counts = option != "--mode";
    if (!given(&app, option) && !(own_copy_counts && given(sub, option))) continue;
    if (option == "--mode" && command == "check") {  // as refuse_extras says it of --update
      throw UsageError("--mode is an option of \"check\": write it after the command's name");
    }
    std::string_view why = special_reason(option);
    throw UsageError(fmt::format("{} does nothing in \"{}\": {}", option, command, why.empty() ? row->why_not : why));
  }
}

std::string missing_argument_message(const CLI::App* sub, const std::string& cli11_message) {
  std::string name = sub != nullptr ? sub->get_name() : "";
  if (name == "verify") {
    return "verify needs one or more scenarios: eventloop-trace verify SCENARIO...; see: eventloop-trace help verify";
  }
  if (name == "step" || name == "html" || name == "export-js") {
    return fmt::format("{0} needs a scenario: eventloop-trace {0} SCENARIO; see: eventloop-trace help {0}", name);
  }
  return cli11_message;
}

std::string missing_value_message(const std::string& cli11_message) {
  std::string name = cli11_message.substr(0, cli11_message.find(':'));
  return fmt::format("{} needs a value after it; see --help", name);
}

std::string default_page_path(const std::string& scenario) {
  if (scenario == "-") {
    throw UsageError("html reads its scenario from standard input here, so it has no NAME.html to write beside it: "
                     "give the page's name with -o FILE.html (or -o - for standard output)");
  }
  return std::filesystem::path(scenario).replace_extension(".html").string();
}

}  // namespace elt::app
