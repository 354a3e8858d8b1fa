// The run as a timeline: slices, instants and flows built from the trace events, and its
// rendering in the Chrome Trace Event Format (the JSON that Perfetto, ui.perfetto.dev,
// and chrome://tracing open).
//
// The book's text is a list of lines; a timeline shows what the lines only imply: how long
// a callback ran, which thread a pool task kept busy and for how long (its simulated
// latency and its real work apart), when the loop thread slept in the poll phase, and
// which registration led to which callback. The shapes come from the marker events
// (event.h: CallbackStart/End, TaskWork, WaitStart/End) and from the ticks and phases
// stamped on every event; build_timeline() turns them into nested slices, one stack per
// thread, so that every slice it opens it also closes.
//
// Generic by design: an event kind this file does not know becomes an instant on its
// thread, and a phase it does not know becomes a phase slice like any other, so a new loop
// model renders without changes here.
//
// Pure functions of the event list: the same events give the same bytes, so a run on the
// virtual clock gives the same file every time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "trace/event.h"

namespace elt {

struct Timeline {
  // What a slice stands for; the html page colours by it, chrome puts it in "cat".
  enum class Category {
    Script, Tick, Phase, Shutdown,  // the loop thread's outline
    Callback, Wait,                 // a callback running; the poll phase blocked
    Task, Latency, Work,            // a pool task, and its two parts (a CPU task: work only)
    Event,                          // one event an arrow starts or ends at, where nothing else is open
  };

  struct Slice {
    std::size_t thread = 0;  // index into threads
    Category category = Category::Tick;
    std::string name;
    std::size_t begin = 0;  // the event that opens it
    std::size_t end = 0;    // the event that closes it (the last event if the run ends first)
    std::size_t depth = 0;  // 0 for the outermost slice of its thread
    CallbackId id = 0;
  };
  // An arrow from one event to another: a registration to the pool task or socket it
  // started, and on to the callback it led to.
  struct Flow {
    std::size_t from = 0;  // event indexes
    std::size_t to = 0;
    CallbackId id = 0;
  };

  std::vector<std::string> threads;          // main first, then pool0.., then the rest by first appearance
  std::vector<std::size_t> thread_of_event;  // index into threads, one per event
  std::vector<Slice> slices;                 // in the order they open
  std::vector<std::size_t> instants;         // events shown as instants (not markers, not slice edges)
  std::vector<Flow> flows;
};

std::string_view to_string(Timeline::Category category);

Timeline build_timeline(const std::vector<TraceEvent>& events);

// How render_chrome() places events in time.
enum class ChromeTime {
  // ts is the event's time on the run's clock. For the real clock: real durations, and a
  // slice as short as the work it stands for.
  AsRun,
  // For the virtual clock, where the work between two waits takes no time at all and most
  // slices would have no width (Perfetto draws them as slivers): every event moves the
  // drawn clock on by one step as well, so a slice is at least one step wide per event it
  // spans, and the waits keep their length. The step is a 1-2-5 number of microseconds
  // near a quarter of the run's time per event, so the steps take about a fifth of the
  // drawing, as the page's stretched axis does (stretched_step() below); it is written in
  // otherData.stretch, and each slice and instant keeps its exact time in
  // args.virtual_us. The page's axis and this one agree on the order of everything.
  Stretched,
};

// The step ChromeTime::Stretched adds per event, in microseconds: 1, 2, 5, 10, 20, 50...,
// the smallest at least (the run's time / 4 / the number of events), and at least 1.
std::int64_t stretched_step(const std::vector<TraceEvent>& events);

// Appends the whole run as one Chrome Trace Event JSON object: {"traceEvents": [...]}.
// Threads get a track each (tid by the order above, named as in the trace); slices are
// B/E pairs, properly nested per thread; other events are thread-scoped instants; flows
// are s/f pairs bound to the slices around their ends. Times are microseconds since the
// start of the run, placed as `time` says.
// How every rendered document begins, whatever the run: the tracer writes it as soon as the
// run starts, so that a reader that wants only the start (`| head -c 10`) gets it and
// leaves, and the run then stops as a text run does, instead of running to the end first.
std::string_view chrome_head();
void render_chrome(const std::vector<TraceEvent>& events, std::string& out, ChromeTime time = ChromeTime::AsRun);

}  // namespace elt
