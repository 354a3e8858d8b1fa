// The book's sentences, written from an event's data: the one place the trace's prose
// comes from.
//
// `Thread: pool3\t received a task of type: File read` is the text format's prefix and
// describe() of a TaskReceived event whose `what` is "File read". The text and jsonl
// formats, chrome's and the html page's names, the stepper's `break line` and `check`
// all read the sentence here, so they cannot disagree, and an emit site only states
// facts (trace/event.h). Any thread; pure functions.
#pragma once

#include <string>

#include "trace/event.h"

namespace elt {

// Appends the sentence of `event` to `out`: what the book's text prints after
// `Thread: <name>\t `. For a content block it is the label; for a marker (is_marker),
// the short name the timeline formats show ("Timer", "poll wait").
void describe_to(const TraceEvent& event, std::string& out);
std::string describe(const TraceEvent& event);

// The queue as jsonl, chrome and html name it: "immediate", "nextTick", "microtask",
// "timer list 5 ms"; empty when the event names none.
std::string queue_label(const TraceEvent& event);

}  // namespace elt
