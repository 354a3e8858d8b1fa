// The run as one self-contained web page: lanes per thread on a time axis, and a stepper
// that walks the run forwards and backwards with the loop's state beside it.
//
// The page (html_page.html, embedded in the binary at build time) holds its own CSS and
// JavaScript and needs no network: it opens from disk. This file fills it with the run's
// data as JSON: every trace event (markers included, with the book's text of each line),
// the timeline built from them (trace/chrome.h: slices, instants, arrows), and a snapshot
// of the loop's state at every pause point (before each tick and each phase): each distinct
// one once, every 64th whole and the others as their changes, which the page replays.
// Between two pause points the page derives the state from the events.
//
// Pure: the same run gives the same bytes, so a virtual-clock page is reproducible.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trace/event.h"

namespace elt {

struct HtmlPause {
  std::size_t events_before = 0;  // how many events the run had emitted when it paused
  std::uint64_t tick = 0;
  Phase phase = Phase::Timers;
  bool tick_start = false;
  Duration now{};
  nlohmann::json state;  // the loop's state, as the page shows it (see cmd_html.cpp)
};

struct HtmlRun {
  std::string title;     // the scenario's file name
  std::string subtitle;  // its description
  std::string clock;     // "virtual" or "real"
  std::string model;     // "book", "node"
  std::vector<TraceEvent> events;
  std::vector<HtmlPause> pauses;
};

// The whole page.
std::string render_html(const HtmlRun& run);

// The page's data alone (what render_html embeds), for tests.
nlohmann::json html_data(const HtmlRun& run);

}  // namespace elt
