#include "cmd_html.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <mutex>
#include <optional>
#include <system_error>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "output_file.h"
#include "process.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "step/inspector.h"
#include "trace/html.h"

namespace elt::app {

namespace {

// A page must stay light for a run with 10,000 timers: each list in a snapshot keeps its
// first items and says how many there were.
constexpr std::size_t kListCap = 20;

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// ---- what the page shows of a state: one list of fields, written and compared ----
//
// shown() below names every field the page shows, once. state_json() writes what it
// lists; same_shown() compares it without building any JSON, which matters because most
// pause points change nothing the page shows (five in six under thousands of timers,
// issue 22). A field added to shown() is therefore written and compared alike.

// One field: its JSON key and its value (a number or string, a ShownList, or a tuple of
// fields for an object). Equal when the values are: the key is the same by construction.
template <typename V>
struct Shown {
  const char* key;
  V value;
};
template <typename V>
bool operator==(const Shown<V>& a, const Shown<V>& b) {
  return a.value == b.value;
}
// A reference to an lvalue (a member of the state), a copy of a computed value.
template <typename V>
Shown<V> field(const char* key, V&& value) {
  return {key, std::forward<V>(value)};
}

// A list the page shows: its first kListCap items, each seen through `view`.
template <typename T, typename View>
struct ShownList {
  const std::vector<T>& items;
  View view;
  std::size_t size() const { return std::min(items.size(), kListCap); }
  bool operator==(const ShownList& other) const {
    return std::equal(items.begin(), items.begin() + size(), other.items.begin(), other.items.begin() + other.size(),
                      [&](const T& x, const T& y) { return view(x) == other.view(y); });
  }
};
template <typename T, typename View>
ShownList<T, View> list(const std::vector<T>& items, View view) {
  return {items, std::move(view)};
}
constexpr auto as_is = [](const auto& item) -> const auto& { return item; };

template <typename V>
nlohmann::json to_json(const V& value) {
  return nlohmann::json(value);
}
template <typename... Vs>
nlohmann::json to_json(const std::tuple<Shown<Vs>...>& fields);
template <typename T, typename View>
nlohmann::json to_json(const ShownList<T, View>& shown) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < shown.size(); ++i) out.push_back(to_json(shown.view(shown.items[i])));
  return out;
}
template <typename... Vs>
nlohmann::json to_json(const std::tuple<Shown<Vs>...>& fields) {
  nlohmann::json j = nlohmann::json::object();
  std::apply([&j](const auto&... f) { ((j[f.key] = to_json(f.value)), ...); }, fields);
  return j;
}

using IdAndText = std::pair<CallbackId, std::string>;

// Deadlines as times since the start, not "due in": the snapshots of one tick's phases are
// then often equal, and the page stores each distinct one once.
auto shown(const RuntimeState& s) {
  return std::tuple{
      field("timers", list(s.timers, [now = s.now](const RuntimeState::Timer& t) {
              return std::tuple{field("id", t.id), field("due_at_ms", ms(now + t.due_in)), field("label", t.label)};
            })),
      field("timers_total", s.timers_total),
      field("workers", list(s.workers, [](const RuntimeState::Worker& w) {
              return std::tuple{field("name", w.name), field("busy", w.busy),          field("task", w.task),
                                field("kind", w.kind), field("since_ms", ms(w.since)), field("label", w.label)};
            })),
      field("queued", list(s.queued_tasks, [](const IdAndText& q) {
              return std::tuple{field("id", q.first), field("kind", q.second)};
            })),
      field("queued_total", s.queued_tasks.size()),
      field("sockets", list(s.sockets, as_is)),
      field("sockets_total", s.sockets.size()),
      field("completed", list(s.completed, as_is)),
      field("completed_total", s.completed.size()),
      field("to_run", list(s.callbacks_to_run, as_is)),
      field("to_run_total", s.callbacks_to_run.size()),
      field("pending", s.pending),
      field("pending_items", list(s.pending_items, [](const IdAndText& p) {
              return std::tuple{field("id", p.first), field("what", p.second)};
            })),
      field("queues", list(s.queues, [](const RuntimeState::NamedQueue& q) {
              return std::tuple{field("name", q.name), field("items", list(q.items, as_is)), field("total", q.total)};
            })),
  };
}

nlohmann::json state_json(const RuntimeState& s) { return to_json(shown(s)); }

// Whether state_json() would write the same for both.
bool same_shown(const RuntimeState& a, const RuntimeState& b) { return shown(a) == shown(b); }

// The page's name picked by the tool (no -o) is not followed when it is a symbolic link: in a
// student's folder, `s.html -> ../victim.txt` once had the page replace victim.txt.
void refuse_chosen_link(const HtmlOptions& opts) {
  struct stat st {};
  if (!opts.output_chosen || ::lstat(opts.output.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return;
  throw UsageError(fmt::format("{}: is a symbolic link, which html does not follow at the name it picks itself; "
                               "give the page's name with -o FILE.html",
                               opts.output));
}

}  // namespace

int run_html(const HtmlOptions& opts) {
  // Before the run, which may be long: a page has nowhere to go.
  if (opts.output == "-" && standard_fds().stdout_closed) {
    throw std::system_error(EBADF, std::generic_category(), "standard output is closed, so the page has nowhere to go");
  }
  if (opts.output != "-") {
    if (std::string refusal = refuse_output_path(opts.output, "the page"); !refusal.empty()) throw UsageError(refusal);
    refuse_chosen_link(opts);
  }
  scenario::Scenario scenario = load_scenario_arg(opts.run.scenario);
  HtmlRun run;
  run.title = std::filesystem::path(opts.run.scenario).filename().string();
  run.subtitle = scenario.description;
  run.clock = opts.run.clock;
  run.model = opts.run.model.empty() ? std::string(scenario::runtime_options(scenario).model.name) : opts.run.model;

  // The observer runs under the tracer's lock, on whichever thread emitted; the pause hook
  // on the loop thread. `mutex` keeps the two lists and the event count in step.
  std::mutex mutex;
  RunOptions quiet = opts.run;
  quiet.format = "none";
  quiet.keeps_trace = true;  // every event stays in memory until the page is written
  run_scenario(quiet, -1, [&](Runtime& runtime, Tracer& tracer) {
    tracer.set_observer([&](const TraceEvent& event) {
      std::lock_guard lock(mutex);
      run.events.push_back(event);
    });
    // `shown`: the last pause point's state, which only this hook (on the loop thread) touches.
    runtime.set_pause_hook([&, shown = std::optional<RuntimeState>()](Runtime& rt, const PausePoint& point) mutable {
      RuntimeState state = Inspector(rt).state(kListCap);
      const bool same = shown && same_shown(*shown, state);
      std::lock_guard lock(mutex);
      const std::size_t stored = same ? run.states.stored().size() - 1 : run.states.add(state_json(state));
      run.pauses.push_back({run.events.size(), point.tick, point.phase, point.tick_start, state.now, stored});
      shown = std::move(state);
    });
  });
  // A signal during the run stopped it: the page would show half a run as if whole.
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  std::string page = render_html(run);
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  if (opts.output == "-") {
    int err = write_stdout(page);
    if (err == 0 || err == EPIPE) return 0;  // EPIPE: the reader left (`| head -1`), quietly
    throw std::system_error(err, std::generic_category(), "writing the page to standard output");
  }
  refuse_chosen_link(opts);
  WriteResult written =
      write_file_atomically(opts.output, page, "the page", opts.output_chosen ? Links::Refuse : Links::Follow);
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  if (written.kind == WriteResult::Kind::Refused) throw UsageError(written.message);
  if (!written.ok()) {
    std::cerr << "eventloop-trace: " << written.message << '\n';
    return kExitFailure;
  }
  std::cerr << "wrote " << opts.output << " (" << run.events.size() << " events, " << run.pauses.size()
            << " pause points)\n";
  return 0;
}

}  // namespace elt::app
