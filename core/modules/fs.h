// The fs module as a scenario calls it: fs_read, as the book's one-trip read or as Node
// 20's fs.readFile (open, fstat, read, close through the pool).
//
// An Fs holds the loop it submits to, and nothing else: the reads run on the loop's pool,
// and the folders they may reach are the loop's, opened once when it starts
// (fs/open_file.h). Make one where it is needed (`Fs(rt).read(...)`).
// Not yet: the body is still Runtime's private member (further down this folder's fs.cpp),
// beside the pool trips it chains; it moves here once the model's fs plan is a part of its
// own (loop/model_parts.h).
// Thread contract: loop thread only; every call checks it (Runtime::assert_in_loop_thread).
#pragma once

#include <filesystem>

#include "common/ids.h"
#include "common/time.h"
#include "loop/runtime.h"

namespace elt {

class Fs {
 public:
  explicit Fs(Runtime& loop) : loop_(loop) {}

  // fs.readFile(path, callback). `at`: where the action is written, for a warning
  // (RuntimeOptions::on_unseen_time) that names it. Returns the callback's id.
  CallbackId read(std::filesystem::path path, Duration latency, Runtime::Callback callback, SourcePos at = {});

 private:
  Runtime& loop_;
};

}  // namespace elt
