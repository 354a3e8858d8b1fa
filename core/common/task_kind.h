// What a pool task is, and the name the trace gives it ("received a task of type: File
// read"). Below the pool and the trace both: the pool hands tasks out by kind, and the
// trace's renderers read the name (chrome draws an Encrypt as work, not as waiting).
#pragma once

#include <string_view>

namespace elt {

// FileRead is the book's one-trip read; the Fs* kinds are the trips Node 20's
// fs.readFile makes through the pool (lib/fs.js: open, fstat, read, close); Lookup is
// uv_getaddrinfo, which libuv runs on the pool because getaddrinfo blocks.
enum class TaskKind { FileRead, Encrypt, Close, FsOpen, FsFstat, FsRead, FsClose, Lookup };
std::string_view to_string(TaskKind kind);  // "File read", "Encrypt", "Close", "fs.open", ...

}  // namespace elt
