// The run as one self-contained web page: lanes per thread on a time axis, and a stepper
// that walks the run forwards and backwards with the loop's state beside it.
//
// The page (html_page.html, embedded in the binary at build time) holds its own CSS and
// JavaScript and needs no network: it opens from disk. This file fills it with the run's
// data: every trace event (markers included, with the book's text of each line), the
// timeline built from them (trace/chrome.h: slices, instants, arrows), and a snapshot of
// the loop's state at every pause point (before each tick and each phase): each distinct
// one once, every 64th whole and the others as their changes, which the page replays.
// Between two pause points the page derives the state from the events.
//
// Linear in the run (issue 22): a snapshot is turned into its stored form (HtmlStates) as
// the run reaches its pause point, and only the last one is kept whole. The data is written
// as compact columns (trace/html_codec.h: a line of JSON with the names and the strings'
// templates, then a line of base-32 numbers per column), which the page reads into typed
// arrays without JSON.parse: a 200,000-line page is 9 MB instead of 55.
//
// Pure: the same run gives the same bytes, so a virtual-clock page is reproducible.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trace/event.h"

namespace elt {

// The loop's states at the pause points, in the form the page stores them, built one pause
// point at a time. Owns the stored states (as JSON text) and the last state whole, which
// the next one is compared with; nothing else of the run. Not thread-safe: one caller.
class HtmlStates {
 public:
  // The state at the next pause point, as the page shows it (see cmd_html.cpp); answers
  // the index of its stored state (the previous one's when nothing changed).
  std::size_t add(nlohmann::json state);
  // Each distinct state in order: whole every kCheckpoint-th, else {"^": changes}.
  const std::vector<std::string>& stored() const { return stored_; }

  // Every kCheckpoint-th distinct state is stored whole, so the page replays at most 63
  // changes to reach any state, and keeps the last one built for a step forward.
  static constexpr std::size_t kCheckpoint = 64;

 private:
  nlohmann::json last_;  // the last distinct state, whole
  std::vector<std::string> stored_;
};

struct HtmlPause {
  std::size_t events_before = 0;  // how many events the run had emitted when it paused
  std::uint64_t tick = 0;
  Phase phase = Phase::Timers;
  bool tick_start = false;
  Duration now{};
  std::size_t state = 0;  // index into HtmlRun::states.stored()
};

struct HtmlRun {
  std::string title;     // the scenario's file name
  std::string subtitle;  // its description
  std::string clock;     // "virtual" or "real"
  std::string model;     // "book", "node"
  std::vector<TraceEvent> events;
  std::vector<HtmlPause> pauses;
  HtmlStates states;
};

// The whole page.
std::string render_html(const HtmlRun& run);

// The page's data (what render_html embeds) read back from its columns, for tests: the
// JSON the page used to embed ({"events": [[t_us, thread, kind, ...]], "pauses": ...}).
nlohmann::json html_data(const HtmlRun& run);

}  // namespace elt
