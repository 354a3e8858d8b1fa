// Renderings of trace events: the book's text format and JSON lines, one event at a time.
// The Chrome Trace Event format needs the whole run; it is in trace/chrome.h.
#pragma once

#include <string>
#include <string_view>

#include "trace/event.h"

namespace elt {

enum class TraceFormat { Text, Jsonl, Chrome, None };

// `--show time,phase,id`: columns before each text line. Off by default, so that the
// book's printout stays exact.
struct TextExtras {
  bool time = false;   // the run's clock, in ms since the start
  bool phase = false;  // the loop's phase when the line was printed
  bool id = false;     // the callback id: the event's own, else the callback running
  bool any() const { return time || phase || id; }
};

// Appends the book's rendering of `event` to `out`:
//   Thread: <name>\t <describe(event)>
// or, for a content block, a blank line, the START/END banners around the content and a
// blank line.
// `color`: thread names, tick banners and content banners in ANSI colours (terminals).
// `running`: the callback the loop thread is in (0: none), shown by extras.id for lines
// that carry no id of their own. Markers (is_marker) render as nothing.
void render_text(const TraceEvent& event, std::string& out, bool color = false, TextExtras extras = {},
                 CallbackId running = 0);

// A thread's name in its colour (every thread has its own), as the text format shows it.
std::string paint_thread(std::string_view thread);
// Scenario text for a one-line view (step's state and where): escaped as the text trace
// escapes it, and a newline shown as \x0a instead of starting a line.
std::string shown_on_one_line(std::string_view text);

// Appends one JSON object and a newline.
void render_jsonl(const TraceEvent& event, std::string& out);

// Appends what the program itself printed, as its console shows it: a print's text and a
// newline, a content block with its banners; nothing for the runtime's own lines. The
// plain run's --mode output prints this, and it is what `check --mode output` compares.
// The text is the scenario's own, unescaped, as Node's console.log writes it.
void render_output(const TraceEvent& event, std::string& out);

}  // namespace elt
