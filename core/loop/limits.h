// The bounds on one run: how much work, memory and trace a scenario may make the tool
// produce before the run is stopped.
//
// A scenario is a program, and a tiny one can ask for unbounded work: 30 nested
// `set_interval 0` double their intervals every tick, a million timers make an html page
// of gigabytes, a 60 MB file printed forty times fills memory. Every run therefore counts
// four things where they happen, on the thread that does them, with no lock of their own:
//
// - callbacks: scenario callbacks run (Runtime::run_marked, loop thread);
// - pending: registrations alive at once, the ones that keep the loop alive (timers,
//   intervals, immediates, pool tasks, requests; Runtime's registration calls, loop thread);
// - trace_events: events the trace records, one line of text or jsonl, one entry of chrome
//   or html (Tracer::emit, under the lock it already takes);
// - actions: actions run (the interpreter; the parser also checks what the file's literal
//   counts say before anything runs, scenario/parser.cpp);
// - value_bytes: bytes of text the run's values are made of, counted as they are made:
//   the contents of every file read and every template rendered (print texts, URLs,
//   paths). A read that would go over gets an error in its callback instead.
//
// Crossing one stops the run at the next phase boundary; the command line then reports the
// limit, its value and how to raise it, and exits 2. A teacher sets them with
// `--limit NAME=N` or in the scenario's `"settings": {"limits": {...}}`, the command line
// winning. The defaults protect whoever runs someone else's file, so a scenario may only
// lower a limit (a value above its default is refused when the file is read); only the
// command line raises one. The defaults (docs/robustness.md, "Limits of a run") let every shipped scenario
// and benchmark run.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace elt {

enum class Limit { Callbacks, Pending, TraceEvents, ValueBytes, Actions };

inline constexpr std::array<std::string_view, 5> kLimitNames = {"callbacks", "pending", "trace_events", "value_bytes",
                                                                "actions"};
inline constexpr std::uint64_t kMaxLimitValue = 1'000'000'000'000;  // a sanity bound on N, not a default

// The largest benchmark (bench/run.sh) runs 1,000,000 timers and keeps 1,000,001 pending:
// twice that, like the cap on actions (scenario.h kMaxActions).
inline constexpr std::uint64_t kDefaultCallbacks = 2'000'000;
inline constexpr std::uint64_t kDefaultPending = 2'000'000;
// Text and jsonl stream out: 10 million lines is about 500 MB of text. Chrome and html keep
// every event until the end, at about 1.3 KB each (60,000 events: 82 MB peak for html),
// so their default is 500,000 (about 650 MB).
inline constexpr std::uint64_t kDefaultTraceEventsStreamed = 10'000'000;
inline constexpr std::uint64_t kDefaultTraceEventsKept = 500'000;
// Twice the largest file fs_read accepts (64 MiB): one big file can be read and printed.
inline constexpr std::uint64_t kDefaultValueBytes = 128ull * 1024 * 1024;
// Twice the largest benchmark's 1,000,001 actions (scenario.h's kMaxActions).
inline constexpr std::uint64_t kDefaultActions = 2'000'000;

struct RunLimits {
  std::uint64_t callbacks = kDefaultCallbacks;
  std::uint64_t pending = kDefaultPending;
  std::optional<std::uint64_t> trace_events;  // nullopt: by format (the two defaults above)
  std::uint64_t value_bytes = kDefaultValueBytes;
  std::uint64_t actions = kDefaultActions;

  // By name (kLimitNames); false for a name that is not a limit.
  bool set(std::string_view name, std::uint64_t value);
};

// The first limit a run crossed: which, its value, and where (the tick and time; the
// action, when an action crossed it).
struct LimitCrossed {
  Limit limit = Limit::Callbacks;
  std::uint64_t value = 0;
  std::string where;  // "1:14 (at /program/0)" when known, else empty
  std::string when;   // "at tick 21 (20 ms)"
};

std::string_view to_string(Limit limit);
// A limit's default by name (kLimitNames), the most a scenario's settings may set it to;
// trace_events: the larger, streamed one (html and chrome keep their lower bound, cli.cpp).
std::uint64_t default_limit(std::string_view name);
// "callbacks=1000" -> {"callbacks", 1000}; nullopt with `error` set when it is not one.
std::optional<std::pair<std::string, std::uint64_t>> parse_limit(std::string_view text, std::string& error);
// What was reached and how to raise it, for the one message the command line prints.
std::string describe(const LimitCrossed& crossed);
// 2000000 -> "2,000,000": limits and counts are large numbers, read at a glance.
std::string grouped(std::uint64_t n);
// The same words for a read refused by value_bytes (an error its callback gets).
std::string value_bytes_refusal(std::uint64_t limit, std::uint64_t left);

}  // namespace elt
