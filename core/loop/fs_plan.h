// The model's fs plan (LoopModel::fs), built by make_model_parts: how a file read becomes
// trips through the pool.
//
// The book reads the whole file in one task; Node 20's fs.readFile makes four (open, fstat,
// read, close: lib/fs.js, ReadFileContext), each a request whose callback on the loop thread
// starts the next. Runtime::fs_read registers the scenario's callback and hands the read to
// the plan; it never asks which plan it has.
// The two plans are the fs module's code (modules/fs.cpp), as Runtime::fs_read is: like the
// module members runtime.h declares, the makers are declared here, in the loop's layer, and
// defined a layer up, where the reading code is.
// Thread contract: loop thread only, as the Runtime it works on.
#pragma once

#include <memory>
#include <string>

#include "common/ids.h"
#include "common/time.h"
#include "loop/runtime.h"

namespace elt {

class FsPlan {
 public:
  virtual ~FsPlan() = default;
  // Starts the read of `shown` (the path as the scenario wrote it) whose callback waits
  // under `id`; `latency` is its delay_ms, `at` where the action is written.
  virtual void start(Runtime& rt, CallbackId id, std::string shown, Duration latency, SourcePos at) const = 0;
};

// The two plans (modules/fs.cpp); make_model_parts picks one.
std::unique_ptr<FsPlan> make_one_trip_read();
std::unique_ptr<FsPlan> make_read_file_trips();

}  // namespace elt
