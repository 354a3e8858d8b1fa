// http.IncomingMessage as the client's response callback gets it: a readable stream whose
// 'data' and 'end' events come out of Node's stream rules (lib/internal/streams/readable.js),
// not out of a fixed order.
//
// The rules it keeps, each queueing what Node queues, where Node queues it:
// - res.on('data', f) or res.resume() switches the stream to flowing and queues one
//   nextTick, resume_ (Readable.prototype.resume; a second call queues nothing);
// - resume_ reads the buffered body: when that read empties the buffer of an ended stream,
//   it queues endReadableNT (a nextTick) first, then emits 'data' synchronously, so a
//   nextTick queued by a 'data' listener runs after 'end';
// - endReadableNT emits 'end' once; a stream never switched to flowing never ends.
// So, for a response read whole in one poll: the response callback runs, and 'data' and
// 'end' follow among the nextTicks queued meanwhile, in the order they were queued.
//
// Simplification: the whole response is read before the response callback runs (the
// reactor completes a request once its last byte is in), as Node sees a small response
// that arrives in one read. A body arriving in several reads would, in Node, emit each
// later chunk directly from the poll phase that reads it.
//
// Owns: the body not yet read and the listeners. Loop thread only.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "loop/runtime.h"

namespace elt {

class IncomingMessage : public std::enable_shared_from_this<IncomingMessage> {
 public:
  // A response whose body (empty: none) and end are already in, as push(chunk) and
  // push(null) left them.
  explicit IncomingMessage(std::string body);

  // res.on('data', listener): the listener gets each chunk as its Outcome's value.
  void on_data(Runtime& rt, Runtime::Callback listener);
  void on_end(Runtime::Callback listener);
  void resume(Runtime& rt);
  // res.setEncoding('utf8'): chunks are text (Node: strings instead of Buffers).
  void set_encoding() { encoding_ = true; }
  bool encoding() const { return encoding_; }

 private:
  void resume_now(Runtime& rt);  // resume_, the nextTick resume() queues
  void end_readable(Runtime& rt);
  void emit_end(Runtime& rt);

  std::deque<std::string> buffer_;
  bool ended_ = true;  // the reactor completes a request with its whole body
  bool flowing_ = false;
  bool resume_scheduled_ = false;
  bool end_emitted_ = false;
  bool encoding_ = false;
  std::vector<std::shared_ptr<Runtime::Callback>> data_listeners_;
  std::vector<std::shared_ptr<Runtime::Callback>> end_listeners_;
};

}  // namespace elt
