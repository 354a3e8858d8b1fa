#include "cmd_html.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <mutex>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "output_file.h"
#include "process.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/html.h"

namespace elt::app {

namespace {

// A page must stay light for a run with 10,000 timers: each list in a snapshot keeps its
// first items and says how many there were.
constexpr std::size_t kListCap = 20;

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <typename T, typename F>
nlohmann::json capped(const std::vector<T>& items, F&& to_json) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < items.size() && i < kListCap; ++i) out.push_back(to_json(items[i]));
  return out;
}

// Deadlines as times since the start, not "due in": the snapshots of one tick's phases are
// then often equal, and the page stores each distinct one once.
nlohmann::json state_json(const RuntimeState& s) {
  nlohmann::json j;
  j["timers"] = capped(s.timers, [&](const RuntimeState::Timer& t) {
    return nlohmann::json{{"id", t.id}, {"due_at_ms", ms(s.now + t.due_in)}, {"label", t.label}};
  });
  j["timers_total"] = s.timers_total;
  j["workers"] = capped(s.workers, [](const RuntimeState::Worker& w) {
    return nlohmann::json{{"name", w.name}, {"busy", w.busy},    {"task", w.task},
                          {"kind", w.kind}, {"since_ms", ms(w.since)}, {"label", w.label}};
  });
  j["queued"] = capped(s.queued_tasks, [](const std::pair<CallbackId, std::string>& q) {
    return nlohmann::json{{"id", q.first}, {"kind", q.second}};
  });
  j["queued_total"] = s.queued_tasks.size();
  j["sockets"] = capped(s.sockets, [](CallbackId id) { return nlohmann::json(id); });
  j["sockets_total"] = s.sockets.size();
  j["completed"] = capped(s.completed, [](const std::string& c) { return nlohmann::json(c); });
  j["completed_total"] = s.completed.size();
  j["to_run"] = capped(s.callbacks_to_run, [](CallbackId id) { return nlohmann::json(id); });
  j["to_run_total"] = s.callbacks_to_run.size();
  j["pending"] = s.pending;
  j["pending_items"] = capped(s.pending_items, [](const std::pair<CallbackId, std::string>& p) {
    return nlohmann::json{{"id", p.first}, {"what", p.second}};
  });
  j["queues"] = capped(s.queues, [](const RuntimeState::NamedQueue& q) {
    return nlohmann::json{{"name", q.name},
                          {"items", capped(q.items, [](const std::string& item) { return nlohmann::json(item); })},
                          {"total", q.total}};
  });
  return j;
}

// Whether state_json() would write the same for both: every field it writes, and only those
// (keep the two together). Most pause points change nothing the page shows (five in six
// under thousands of timers), and this answers without building the JSON (issue 22).
bool same_shown(const RuntimeState& a, const RuntimeState& b) {
  auto same_timer = [&](const RuntimeState::Timer& x, const RuntimeState::Timer& y) {
    return x.id == y.id && a.now + x.due_in == b.now + y.due_in && x.label == y.label;
  };
  auto same_worker = [](const RuntimeState::Worker& x, const RuntimeState::Worker& y) {
    return x.name == y.name && x.busy == y.busy && x.task == y.task && x.kind == y.kind && x.since == y.since &&
           x.label == y.label;
  };
  auto same_queue = [](const RuntimeState::NamedQueue& x, const RuntimeState::NamedQueue& y) {
    return x.name == y.name && x.items == y.items && x.total == y.total;
  };
  return std::equal(a.timers.begin(), a.timers.end(), b.timers.begin(), b.timers.end(), same_timer) &&
         a.timers_total == b.timers_total &&
         std::equal(a.workers.begin(), a.workers.end(), b.workers.begin(), b.workers.end(), same_worker) &&
         a.queued_tasks == b.queued_tasks && a.sockets == b.sockets && a.completed == b.completed &&
         a.callbacks_to_run == b.callbacks_to_run && a.pending == b.pending && a.pending_items == b.pending_items &&
         std::equal(a.queues.begin(), a.queues.end(), b.queues.begin(), b.queues.end(), same_queue);
}

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
      RuntimeState state = rt.state(kListCap);
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
