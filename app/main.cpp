// eventloop-trace: the command line. Parses arguments, picks the clock and the output, and
// maps outcomes to exit codes: 0 done (check: traces agree), 1 check found a difference or
// (plain run, step) the environment failed, 2 bad input or a check that could not be
// graded, 128+signal when stopped by SIGINT or SIGTERM. Everything else lives in core/.
//
// The run options (--threads, --clock, --model, --format, --color) mean the same before
// and after a subcommand's name: each command declares its own copy, so that CLI11 takes
// them on either side, and resolve() merges the two copies, refusing the same option given
// twice with different values. An option a command cannot honour is refused (exit 2), never
// dropped: a teacher's `--threads 1 check ...` must grade with one thread.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli.h"
#include "cmd_check.h"
#include "cmd_run.h"
#include "command_options.h"
#include "cmd_html.h"
#include "cmd_export.h"
#include "cmd_import.h"
#include "cmd_calibrate.h"
#include "cmd_explore.h"
#include "cmd_verify.h"
#include "common/did_you_mean.h"
#include "line_reader.h"
#include "process.h"
#include "version.h"
#include "http/net_policy.h"
#include "cmd_step.h"
#include "loop/limits.h"
#include "loop/model_kinds.h"
#include "loop/runtime.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

namespace {

using elt::app::kExitBadInput;
using elt::app::kExitFailure;
using elt::app::RunOptions;
using elt::app::UsageError;
using elt::app::use_color;

// One command's copy of the run options, and whether each was given.
struct RunFlags {
  std::int64_t threads = 0;
  std::string clock, model, format, color, costs;
  std::vector<std::string> show;
  CLI::Option* show_opt = nullptr;
  std::vector<std::string> allow_read, allow_net;
  std::vector<std::string> limits;  // NAME=N
  bool no_warnings = false;
  CLI::Option* threads_opt = nullptr;
  CLI::Option* clock_opt = nullptr;
  CLI::Option* model_opt = nullptr;
  CLI::Option* format_opt = nullptr;
  CLI::Option* color_opt = nullptr;
  CLI::Option* costs_opt = nullptr;
};

// Which loop runs, and on which clock.
void add_loop_flags(CLI::App& app, RunFlags& f, std::string_view clock_default) {
  f.threads_opt = app.add_option("-t,--threads", f.threads,
                                 "Pool threads (overrides the scenario's settings.threads; default 4)")
                      ->check(elt::app::whole_number(1, 1024));
  f.clock_opt = app.add_option("--clock", f.clock,
                               fmt::format("real: real time; virtual: time jumps to the next deadline when every "
                                           "thread is idle, and the trace is the same in every run (default here: {})",
                                           clock_default))
                    ->check(elt::app::one_of({"real", "virtual"}));
  f.model_opt = app.add_option("--model", f.model, elt::model_help() + "; overrides settings.model")
                    ->check(elt::app::one_of(elt::model_names()));
  f.costs_opt = app.add_option("--costs", f.costs,
                               "Node model: what real work costs on the virtual clock: a profile FILE (see "
                               "calibrate), or zero (nothing costs time); default: the shipped profile")
                    ->type_name("FILE|zero");
}

// What the trace looks like.
void add_trace_flags(CLI::App& app, RunFlags& f) {
  f.format_opt = app.add_option("-f,--format", f.format,
                                "Trace format: text (the book's, default), jsonl, chrome (Trace Event JSON for "
                                "Perfetto and chrome://tracing), or none")
                     ->check(elt::app::one_of({"text", "jsonl", "chrome", "none"}));
  f.show_opt = app.add_option("--show", f.show,
                              "Text format: columns before each line, any of time (ms on the run's clock), phase, "
                              "id (the callback's); off by default, so the book's printout stays exact")
                   ->delimiter(',')
                   ->allow_extra_args(false)
                   ->check(elt::app::one_of({"time", "phase", "id"}))
                   ->type_name("time,phase,id");
}

// What the run may read and reach, and how far it may go.
void add_bound_flags(CLI::App& app, RunFlags& f) {
  // One value per occurrence (repeat the option for more), so that the scenario after it
  // is not taken as a second value.
  app.add_option("--allow-read", f.allow_read,
                 "Let fs_read also read below PATH (repeatable); by default a scenario reads only "
                 "below its own folder")
      ->type_name("PATH")
      ->allow_extra_args(false)
      ->check([](const std::string& value) -> std::string {
        // Checked here, once: an empty path made std::filesystem::absolute throw later.
        std::error_code ec;
        if (value.empty()) return "needs the path of a folder; found an empty path";
        if (!std::filesystem::exists(value, ec)) return "\"" + value + "\" does not exist; it must be a folder";
        if (!std::filesystem::is_directory(value, ec)) return "\"" + value + "\" is not a folder; it must be one";
        return {};
      });
  app.add_option("--allow-net", f.allow_net,
                 "Let http_get also connect to HOST, on any port or on PORT (repeatable); by default "
                 "only loopback and the delay service")
      ->type_name("HOST[:PORT]")
      ->allow_extra_args(false)
      ->check([](const std::string& value) {
        std::string error;
        return elt::NetPolicy::parse_rule(value, error) ? std::string() : error;
      });
  app.add_option("--limit", f.limits,
                 "Bound the run (repeatable): callbacks, pending, trace_events or value_bytes; crossing one "
                 "stops the run with exit 2. Overrides the scenario's settings.limits; defaults in "
                 "docs/robustness.md")
      ->type_name("NAME=N")
      ->allow_extra_args(false)
      ->check([](const std::string& value) {
        std::string error;
        return elt::parse_limit(value, error) ? std::string() : error;
      });
  app.add_flag("--no-warnings", f.no_warnings,
               "Do not warn on stderr when a virtual-clock run depends on real time it cannot see "
               "(a real server, a large read without delay_ms)");
}

// The run options, in the order --help lists them.
void add_run_flags(CLI::App& app, RunFlags& f, std::string_view clock_default) {
  add_loop_flags(app, f, clock_default);
  add_trace_flags(app, f);
  add_bound_flags(app, f);
  f.color_opt = app.add_option("--color", f.color,
                               "Colour: auto (default: on a terminal, unless NO_COLOR is set), always, never")
                    ->check(elt::app::one_of({"auto", "always", "never"}));
}

// The value given after the subcommand, else before it, else the command's default;
// the same option given on both sides with different values is refused.
template <typename T>
T pick(const char* name, CLI::Option* before, const T& before_value, CLI::Option* after, const T& after_value,
       const std::string& command, const T& fallback) {
  bool b = before != nullptr && before->count() > 0;
  bool a = after != nullptr && after->count() > 0;
  if (a && b && !(after_value == before_value)) {
    throw UsageError(fmt::format("{} is given twice, as {} before \"{}\" and as {} after it; give it once", name,
                                 before_value, command, after_value));
  }
  if (a) return after_value;
  if (b) return before_value;
  return fallback;
}

// --limit before and after the command's name add up; one limit given two different
// values is refused, as any other option given twice.
std::vector<std::string> merge_limits(const std::vector<std::string>& before, const std::vector<std::string>& after,
                                      const std::string& command) {
  std::map<std::string, std::uint64_t> seen;
  std::vector<std::string> out = before;
  out.insert(out.end(), after.begin(), after.end());
  for (const auto& text : out) {
    std::string error;
    auto limit = elt::parse_limit(text, error);
    if (!limit) throw UsageError(error);
    auto [it, fresh] = seen.emplace(limit->first, limit->second);
    if (!fresh && it->second != limit->second) {
      throw UsageError(fmt::format("--limit {} is given twice, as {} and as {}{}; give it once", limit->first,
                                   it->second, limit->second,
                                   command.empty() ? "" : fmt::format(" (around \"{}\")", command)));
    }
  }
  return out;
}

RunOptions resolve(const RunFlags& top, const RunFlags* sub, const std::string& command, const char* clock_default) {
  const RunFlags& s = sub != nullptr ? *sub : top;
  const RunFlags* t = sub != nullptr ? &top : nullptr;
  auto opt = [&](CLI::Option* RunFlags::*member) { return t != nullptr ? t->*member : nullptr; };
  RunOptions out;
  out.threads = pick<std::int64_t>("--threads", opt(&RunFlags::threads_opt), top.threads, s.threads_opt, s.threads,
                                   command, 0);
  out.clock = pick<std::string>("--clock", opt(&RunFlags::clock_opt), top.clock, s.clock_opt, s.clock, command,
                                clock_default);
  out.model = pick<std::string>("--model", opt(&RunFlags::model_opt), top.model, s.model_opt, s.model, command, "");
  out.format = pick<std::string>("--format", opt(&RunFlags::format_opt), top.format, s.format_opt, s.format,
                                 command, "text");
  out.color = pick<std::string>("--color", opt(&RunFlags::color_opt), top.color, s.color_opt, s.color, command,
                                "auto");
  out.costs = pick<std::string>("--costs", opt(&RunFlags::costs_opt), top.costs, s.costs_opt, s.costs, command, "");
  out.warnings = !top.no_warnings && !(sub != nullptr && sub->no_warnings);
  // Permissions add up, wherever they are written.
  out.allow_read = top.allow_read;
  out.allow_net = top.allow_net;
  if (sub != nullptr) {
    out.allow_read.insert(out.allow_read.end(), sub->allow_read.begin(), sub->allow_read.end());
    out.allow_net.insert(out.allow_net.end(), sub->allow_net.begin(), sub->allow_net.end());
  }
  out.limits = merge_limits(top.limits, sub != nullptr ? sub->limits : std::vector<std::string>{}, command);
  out.show = pick<std::vector<std::string>>("--show", opt(&RunFlags::show_opt), top.show, s.show_opt, s.show,
                                            command, {});
  return out;
}

// Every option name a command takes, for "did you mean".
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// Arguments nobody took: an unknown option (with a suggestion), or one word too many.
void refuse_extras(const CLI::App& app, const CLI::App* sub) {
  const CLI::App& where = sub != nullptr ? *sub : app;
  std::vector<std::string> extras = app.remaining(true);
  if (extras.empty()) return;
  std::vector<std::string> known = option_names(where);
  if (sub != nullptr) {
    auto top = option_names(app);
    known.insert(known.end(), top.begin(), top.end());
  }
  std::vector<std::string> sub_only = sub != nullptr ? option_names(*sub) : std::vector<std::string>{};
  for (const auto& arg : extras) {
    if (arg.size() < 2 || arg[0] != '-') continue;
    std::string name = arg.substr(0, arg.find('='));
    if (std::find(sub_only.begin(), sub_only.end(), name) != sub_only.end()) {
      throw UsageError(fmt::format("{} is an option of \"{}\": write it after the command's name", name,
                                   sub->get_name()));
    }
    std::string hint = elt::did_you_mean(name, known);
    throw UsageError(fmt::format("unknown option {}{}{}", name,
                                 sub != nullptr ? fmt::format(" for \"{}\"", sub->get_name()) : "",
                                 hint.empty() ? "; see --help" : fmt::format("; did you mean {}?", hint)));
  }
  throw UsageError(fmt::format("unexpected argument \"{}\"{}", extras.front(),
                               sub != nullptr ? fmt::format(" for \"{}\"", sub->get_name())
                                              : std::string("; a plain run takes one SCENARIO")));
}

// A plain run's SCENARIO that is no file but looks like a subcommand (`chek`): say so,
// before the scenario loader says "cannot open chek".
void refuse_mistyped_command(const CLI::App& app, const std::string& scenario) {
  if (scenario.empty() || scenario == "-" || access(scenario.c_str(), F_OK) == 0) return;
  std::string hint = elt::did_you_mean(scenario, subcommand_names(app));
  if (hint.empty()) return;
  throw UsageError(fmt::format("\"{}\" is neither a command nor a file; did you mean \"{}\"?", scenario, hint));
}

// The command being run, or nullptr for a plain run.
const CLI::App* parsed_command(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->parsed()) return sub;
  }
  return nullptr;
}

// `help [COMMAND]`: the same text as `--help` and `COMMAND --help` (app.help() would show
// the help of the command being run, which is `help` itself).
int print_help(const CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return 0;
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == topic) {
      std::cout << sub->help(app.get_name());
      return 0;
    }
  }
  std::string hint = elt::did_you_mean(topic, subcommand_names(app));
  throw UsageError(fmt::format("no command named \"{}\" (the commands are check, step, html, export-js, verify and help){}", topic,
                               hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
}

// Every command's options. CLI11 binds each option to a member by reference, so this is
// built in place and never moved or copied.
struct CommandLine {
  CLI::App app{"eventloop-trace: run a scenario on a Node-like event loop (real threads, epoll, timers)\n"
               "and print what happens, tick by tick and thread by thread.\n"
               "The run options (--threads, --clock, --model, --format, --color) may come before or after\n"
               "a command's name and mean the same. `eventloop-trace help COMMAND` explains a command.",
               "eventloop-trace"};
  std::string run_scenario_path;
  RunFlags top;
  std::string run_mode = "trace";
  elt::app::CheckOptions check_opts;
  RunFlags check_flags;
  CLI::App* check_cmd = nullptr;
  std::string step_scenario_path;
  RunFlags step_flags;
  CLI::App* step_cmd = nullptr;
  elt::app::HtmlOptions html_opts;
  std::string html_scenario_path;
  RunFlags html_flags;
  CLI::App* html_cmd = nullptr;
  std::string help_topic;
  CLI::App* help_cmd = nullptr;
  elt::app::Command export_cmd{};
  elt::app::Command import_cmd{};
  elt::app::Command verify_cmd{};
  elt::app::Command calibrate_cmd{};
  elt::app::Command explore_cmd{};
  RunOptions run_opts;
  RunOptions step_opts;
};

// The plain run: `eventloop-trace [OPTIONS] SCENARIO`.
void add_plain_run(CommandLine& cl) {
  cl.app.set_version_flag("--version", std::function<std::string()>(elt::app::version_text));
  cl.app.require_subcommand(0, 1);
  cl.app.allow_extras();

  cl.app.add_option("scenario", cl.run_scenario_path, "Scenario file (JSON; - reads standard input); see "
                    "docs/scenario-format.md")
      ->type_name("SCENARIO");
  add_run_flags(cl.app, cl.top, "real");
  cl.app.add_option("--mode", cl.run_mode,
                    "trace: the whole trace (default); output: only what the program prints, as its console shows it "
                    "(the lines check --mode output compares)")
      ->type_name("TEXT:{trace,output}");
}

void add_check_command(CommandLine& cl) {
  cl.check_cmd = cl.app.add_subcommand(
      "check",
      "Run scenarios and compare their traces with golden files: exit 0 if all agree, 1 if one differs "
      "(with a diff), 2 if one could not be graded (bad scenario, missing or unusable golden).\n"
      "PATHS: SCENARIO GOLDEN pairs; a FOLDER (each NAME.json beside NAME.trace); or a FOLDER then a\n"
      "GOLDEN_FOLDER (NAME.json in the first, NAME.trace in the second). - is standard input.");
  cl.check_cmd->allow_extras();
  cl.check_cmd->add_option("paths", cl.check_opts.paths, "SCENARIO GOLDEN ..., FOLDER, or FOLDER GOLDEN_FOLDER")
      ->required()
      ->type_name("PATHS");
  add_run_flags(*cl.check_cmd, cl.check_flags, "virtual");
  cl.check_cmd->add_option("--mode", cl.check_opts.mode,
                           "exact: byte for byte (default); per-thread: each thread's own lines (for real-clock runs); "
                           "output: only the lines the program prints (print, print_content)")
      ->check(elt::app::one_of({"exact", "per-thread", "output"}));
  cl.check_cmd->add_option("--only", cl.check_opts.only,
                           "Compare only this thread's lines (main: the order of callbacks and prints); a thread the "
                           "run does not have is an error")
      ->type_name("THREAD");
  cl.check_cmd->add_flag("--update", cl.check_opts.update,
                         "Write each trace to its GOLDEN instead of comparing (never a scenario, never after a failed "
                         "or interrupted run)");
  cl.check_cmd->add_option("--junit", cl.check_opts.junit, "Write a JUnit XML summary to FILE (for CI)")
      ->type_name("FILE");
  cl.check_cmd->add_option("--json", cl.check_opts.json, "Write a JSON summary to FILE")->type_name("FILE");
  cl.check_cmd->add_flag("--diffs", cl.check_opts.diffs,
                         "Show the diff of every failing scenario (shown anyway when only one is checked, "
                         "unless --hint)");
  cl.check_cmd->add_flag("--hint", cl.check_opts.hint,
                         "For students: say where each prediction first goes wrong (line, tick, thread, the kind of "
                         "line expected) without showing what runs; no diff unless --diffs");
  cl.check_cmd->add_option("--pass-score", cl.check_opts.pass_score,
                           "Pass a pair whose score (the share of lines matched in order, 0 to 1) is at least S")
      ->type_name("S")
      ->check(CLI::Range(0.0, 1.0));
}

void add_step_command(CommandLine& cl) {
  cl.step_cmd = cl.app.add_subcommand(
      "step", "Run a scenario one tick at a time as in a debugger, on the virtual clock by default "
              "(commands: next, phase, continue, back, goto, break, info, delete, state, where, help, quit)");
  cl.step_cmd->allow_extras();
  cl.step_cmd->add_option("scenario", cl.step_scenario_path, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  add_run_flags(*cl.step_cmd, cl.step_flags, "virtual");
}

void add_html_command(CommandLine& cl) {
  cl.html_cmd = cl.app.add_subcommand(
      "html", "Run a scenario and write one self-contained web page: a lane per thread on a time axis, "
              "and a stepper forwards and backwards with the loop's state (opens from disk, no network)");
  cl.html_cmd->allow_extras();
  cl.html_cmd->add_option("scenario", cl.html_scenario_path, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  cl.html_cmd->add_option("-o,--output", cl.html_opts.output,
                          "The page to write (- for standard output); default: NAME.html beside the scenario")
      ->type_name("FILE.html");
  add_run_flags(*cl.html_cmd, cl.html_flags, "virtual");
}

// The commands in the order --help lists them.
void add_commands(CommandLine& cl) {
  add_plain_run(cl);
  add_check_command(cl);
  add_step_command(cl);
  add_html_command(cl);
  cl.help_cmd = cl.app.add_subcommand("help", "Explain eventloop-trace, or one command: help check");
  cl.help_cmd->add_option("command", cl.help_topic, "check, step, html, export-js, import-js, verify or help")->type_name("COMMAND");
  cl.export_cmd = elt::app::add_export_command(cl.app);
  cl.import_cmd = elt::app::add_import_command(cl.app);
  cl.verify_cmd = elt::app::add_verify_command(cl.app);
  cl.calibrate_cmd = elt::app::add_calibrate_command(cl.app);
  cl.explore_cmd = elt::app::add_explore_command(cl.app);
}

// CLI11's errors in the tool's words (UsageError); an exit code when the arguments asked
// for help or the version, which CLI11 prints.
std::optional<int> parse_arguments(CommandLine& cl, int argc, char** argv) {
  try {
    cl.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cl.app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cl.app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cl.app.exit(e);
  } catch (const CLI::RequiredError& e) {
    if (cl.check_cmd->parsed() && cl.check_opts.paths.empty()) {
      throw UsageError("check needs what to grade: SCENARIO GOLDEN [SCENARIO GOLDEN ...], a FOLDER, or a FOLDER "
                       "and a GOLDEN_FOLDER; see: eventloop-trace help check");
    }
    throw UsageError(elt::app::missing_argument_message(parsed_command(cl.app), e.what()));
  } catch (const CLI::ArgumentMismatch& e) {
    throw UsageError(elt::app::missing_value_message(e.what()));
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  return std::nullopt;
}

// The command given, or nullptr for a plain run.
const CLI::App* chosen_command(const CommandLine& cl) {
  return cl.check_cmd->parsed()  ? cl.check_cmd
         : cl.step_cmd->parsed() ? cl.step_cmd
         : cl.help_cmd->parsed() ? cl.help_cmd
         : cl.html_cmd->parsed() ? cl.html_cmd
         : cl.export_cmd.app->parsed() ? cl.export_cmd.app
         : cl.import_cmd.app->parsed() ? cl.import_cmd.app
         : cl.verify_cmd.app->parsed() ? cl.verify_cmd.app
         : cl.calibrate_cmd.app->parsed() ? cl.calibrate_cmd.app
         : cl.explore_cmd.app->parsed() ? cl.explore_cmd.app
                                          : nullptr;
}

// The run options of the command given: its own copy merged with the one before its name.
void resolve_options(CommandLine& cl) {
  if (cl.check_cmd->parsed()) {
    cl.check_opts.run = resolve(cl.top, &cl.check_flags, "check", "virtual");
  } else if (cl.html_cmd->parsed()) {
    cl.html_opts.run = resolve(cl.top, &cl.html_flags, "html", "virtual");
    cl.html_opts.run.scenario = cl.html_scenario_path;
    if (cl.html_opts.output.empty()) {
      cl.html_opts.output = elt::app::default_page_path(cl.html_scenario_path);
      cl.html_opts.output_chosen = true;
    }
  } else if (cl.step_cmd->parsed()) {
    cl.step_opts = resolve(cl.top, &cl.step_flags, "step", "virtual");
    cl.step_opts.scenario = cl.step_scenario_path;
    if (cl.step_opts.scenario == "-") {
      throw UsageError("step reads its commands from standard input, so its scenario cannot come from there too");
    }
  } else if (cl.export_cmd.app->parsed() || cl.import_cmd.app->parsed() || cl.verify_cmd.app->parsed() ||
             cl.calibrate_cmd.app->parsed() || cl.explore_cmd.app->parsed()) {
    // Their own options, read when they run.
  } else {
    if (cl.run_scenario_path.empty()) throw UsageError("a SCENARIO is required; see --help, or help COMMAND");
    cl.run_opts = resolve(cl.top, nullptr, "", "real");
    cl.run_opts.scenario = cl.run_scenario_path;
    elt::app::validate_plain_run(cl.run_opts, cl.run_mode);
  }
}

// Runs the command given; every failure is reported here, once, with its exit code.
int run_chosen(CommandLine& cl) {
  try {
    elt::app::SignalWatcher signals;
    if (cl.check_cmd->parsed()) return elt::app::run_check(cl.check_opts);
    if (cl.html_cmd->parsed()) return elt::app::run_html(cl.html_opts);
    if (cl.export_cmd.app->parsed()) return cl.export_cmd.run();
    if (cl.import_cmd.app->parsed()) return cl.import_cmd.run();
    if (cl.verify_cmd.app->parsed()) return cl.verify_cmd.run();
    if (cl.calibrate_cmd.app->parsed()) return cl.calibrate_cmd.run();
    if (cl.explore_cmd.app->parsed()) return cl.explore_cmd.run();
    if (cl.step_cmd->parsed()) return elt::app::run_step(cl.step_opts);
    return elt::app::run_plain(cl.run_opts, cl.run_mode);
  } catch (const UsageError& e) {
    std::cerr << "eventloop-trace: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const elt::scenario::ScenarioError& e) {
    std::cerr << "eventloop-trace: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const std::system_error& e) {
    std::cerr << "eventloop-trace: " << e.what() << '\n';
    return kExitFailure;
  } catch (const std::bad_alloc&) {
    std::fputs(elt::app::kOutOfMemoryMessage, stderr);
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "eventloop-trace: error: " << e.what() << '\n';
    return kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything opens a descriptor: a closed stdout must not become the runtime's fd 1.
  elt::app::reserve_standard_fds();
  elt::app::install_out_of_memory_handler();
  // Before any output, help and --version included: a reader that leaves early (`--help |
  // grep -q`) is a quiet exit 0, not death by SIGPIPE (exit 141) half-way through the help.
  signal(SIGPIPE, SIG_IGN);
  CommandLine cl;
  add_commands(cl);
  try {
    if (auto exit = parse_arguments(cl, argc, argv)) return *exit;
    const CLI::App* sub = chosen_command(cl);
    if (sub == nullptr) refuse_mistyped_command(cl.app, cl.run_scenario_path);
    refuse_extras(cl.app, sub);
    elt::app::refuse_unhonoured(cl.app, sub);
    if (sub != nullptr && !cl.run_scenario_path.empty()) {
      throw UsageError(fmt::format("\"{}\" comes before \"{}\"; write the command first: eventloop-trace {} ...",
                                   cl.run_scenario_path, sub->get_name(), sub->get_name()));
    }
    if (cl.help_cmd->parsed()) return print_help(cl.app, cl.help_topic);
    resolve_options(cl);
  } catch (const UsageError& e) {
    std::cerr << "eventloop-trace: " << e.what() << '\n';
    return kExitBadInput;
  }
  return run_chosen(cl);
}
