// Renderings of trace events: the book's text format and JSON lines.
#pragma once

#include <string>
#include <string_view>

#include "trace/event.h"

namespace elt {

enum class TraceFormat { Text, Jsonl, None };

// Appends the book's rendering of `event` to `out`:
//   Thread: <name>\t <message>
// or, for a content block, a blank line, the START/END banners around the content and a
// blank line.
// `color`: thread names, tick banners and content banners in ANSI colours (terminals).
void render_text(const TraceEvent& event, std::string& out, bool color = false);

// A thread's name in its colour (every thread has its own), as the text format shows it.
std::string paint_thread(std::string_view thread);

// Appends one JSON object and a newline.
void render_jsonl(const TraceEvent& event, std::string& out);

}  // namespace elt
