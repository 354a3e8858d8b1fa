#include "modules/http_stream.h"

namespace elt {

IncomingMessage::IncomingMessage(std::string body) {
  if (!body.empty()) buffer_.push_back(std::move(body));
}

void IncomingMessage::on_data(Runtime& rt, Runtime::Callback listener) {
  data_listeners_.push_back(std::make_shared<Runtime::Callback>(std::move(listener)));
  resume(rt);  // Readable.prototype.on: a 'data' listener resumes a stream not paused
}

void IncomingMessage::on_end(Runtime::Callback listener) {
  end_listeners_.push_back(std::make_shared<Runtime::Callback>(std::move(listener)));
}

void IncomingMessage::resume(Runtime& rt) {
  if (flowing_) return;
  flowing_ = true;
  if (resume_scheduled_) return;
  resume_scheduled_ = true;
  rt.next_tick([self = shared_from_this()](Runtime& r, Outcome) { self->resume_now(r); }, "stream resume");
}

// resume_ then flow(): read() until it returns null. Each read that empties the buffer of
// an ended stream queues endReadableNT before it emits the chunk it read.
void IncomingMessage::resume_now(Runtime& rt) {
  resume_scheduled_ = false;
  while (flowing_ && !buffer_.empty()) {
    std::string chunk = std::move(buffer_.front());
    buffer_.pop_front();
    if (buffer_.empty() && ended_) end_readable(rt);
    // A listener added by a listener is called from the next chunk on, as EventEmitter's
    // copy of its listener array makes it.
    auto listeners = data_listeners_;
    for (const auto& listener : listeners) (*listener)(rt, Outcome::ok(Value::string(chunk)));
  }
  if (flowing_ && buffer_.empty() && ended_) end_readable(rt);  // the read that returns null
}

void IncomingMessage::end_readable(Runtime& rt) {
  if (end_emitted_) return;
  rt.next_tick([self = shared_from_this()](Runtime& r, Outcome) { self->emit_end(r); }, "stream end");
}

// endReadableNT: 'end' once, however many times it was queued.
void IncomingMessage::emit_end(Runtime& rt) {
  if (end_emitted_) return;
  end_emitted_ = true;
  auto listeners = end_listeners_;
  for (const auto& listener : listeners) (*listener)(rt, Outcome{});
}

}  // namespace elt
