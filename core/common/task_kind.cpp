#include "common/task_kind.h"

namespace elt {

std::string_view to_string(TaskKind kind) {
  switch (kind) {
    case TaskKind::FileRead: return "File read";
    case TaskKind::Encrypt: return "Encrypt";
    case TaskKind::Close: return "Close";
    case TaskKind::FsOpen: return "fs.open";
    case TaskKind::FsFstat: return "fs.fstat";
    case TaskKind::FsRead: return "fs.read";
    case TaskKind::FsClose: return "fs.close";
    case TaskKind::Lookup: return "getaddrinfo";
  }
  return "?";
}

}  // namespace elt
