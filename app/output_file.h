// Every file the tool writes goes through here: goldens (`check --update`), the JUnit and
// JSON summaries (`check --junit/--json`), the page of `html -o`, and standard output when
// a command prints a whole document (`html -o -`, `export-js`).
//
// A file is written to a regular file only, and atomically: a temporary file beside the
// target, then rename(2), so a reader sees the old file or the whole new one, never half
// of either. rename() replaces whatever the name points at, so a path that exists and is
// no regular file (a device such as /dev/null, a FIFO, a socket, a directory) is refused
// before anything is written: run as root, `--junit /dev/null` once replaced /dev/null
// with a regular file. A symbolic link to a regular file is followed (the link stays).
//
// Thread-safety: call from the main thread, after the run (it blocks the stop signals on
// the calling thread while it writes).
#pragma once

#include <string>
#include <string_view>

namespace elt::app {

struct WriteResult {
  enum class Kind {
    Written,
    Refused,      // the path is no place for the file (exit 2): message says why
    Failed,       // the environment failed (a full disk, no permission): message says how
    Interrupted,  // a stop signal came while writing: nothing was replaced
  };
  Kind kind = Kind::Written;
  std::string message;  // "PATH: ..." for Refused and Failed
  bool ok() const { return kind == Kind::Written; }
};

// "" when `path` may be written: it does not exist yet, or it is a regular file (or a link
// to one). Otherwise "PATH: is a character device, not a regular file; WHAT is written to
// regular files only". `what` names the file for the user: "the JUnit summary".
std::string refuse_output_path(const std::string& path, std::string_view what);

// Whether a symbolic link at the path is followed. A name the user gave is (the link
// stays); a name the tool picked itself (html's NAME.html beside the scenario) is not: a
// link planted there in someone else's folder would have the page replace a file outside it.
enum class Links { Follow, Refuse };

// Writes `text` to `path` as described above; a new file gets the mode umask allows, a
// replaced one keeps its own. With Links::Refuse a link at `path` is Refused, and one that
// appears while the file is written is replaced itself, never the file it points at.
WriteResult write_file_atomically(const std::string& path, std::string_view text, std::string_view what,
                                  Links links = Links::Follow);

// Writes a whole document to standard output. 0 when written; EPIPE when the reader left
// (a quiet success for the caller); EBADF when stdout was closed at start (process.h);
// otherwise the errno of the failed write.
int write_stdout(std::string_view text);

}  // namespace elt::app
