// How `verify` confines the node it runs: a student's scenario becomes a program, and the
// program runs on the teacher's machine, so it gets only what it needs.
//
// Two layers, each enough on its own for what the other misses:
// - Node 20's permission model (`--experimental-permission`): file reads only below the
//   folders named (the scenario's, and the program's own file), no writes, no child
//   processes, no worker threads. An attempt fails inside node with ERR_ACCESS_DENIED.
// - A network namespace of its own, where the system allows one (as root, or through an
//   unprivileged user namespace): only a loopback interface, up, so the program reaches
//   no other machine. The delay service `verify` starts listens in *our* namespace, so a
//   program that makes HTTP requests keeps ours (the exporter writes only requests to that
//   service or to this machine, and the permission model still holds).
//
// Divergence: `unshare -r -n` does the same from a shell; here the child calls unshare(2)
// itself between fork and exec, so no helper binary is needed.
//
// Thread-safety: every function may be called from any thread; spawn_confined forks, and
// its child does only async-signal-safe calls before exec.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace elt::sandbox {

// The node options that confine a program to reading `read_paths` (each a file or a
// folder with everything below it). `node_version` is `node --version`: Node 23 and later
// name the switch `--permission`.
std::vector<std::string> node_permission_args(const std::vector<std::string>& read_paths,
                                              const std::string& node_version);

// Whether this process can give a child a network namespace of its own, and if not, why
// (found once, by trying in a short-lived child).
struct NetworkIsolation {
  bool available = false;
  std::string why_not;
};
const NetworkIsolation& network_isolation();

// fork + (unshare a network namespace, loopback up) + execve, with stdin on /dev/null and
// stdout, stderr on the fds given, in the folder `cwd` (nullptr: ours). `program` is a path
// (found on PATH by the caller).
// Returns the child's pid; throws std::system_error if fork fails. A child that cannot
// enter its namespace writes why on `err_fd` and exits 126.
pid_t spawn_without_network(const std::string& program, char* const argv[], char* const envp[], int out_fd,
                            int err_fd, const char* cwd = nullptr);

// Node 20's permission model checks the path a program opens, not where its links lead: a
// link inside the scenario's folder to /etc/passwd would be read. So before node may read
// a folder, verify looks for such a link: the first one found (as "link -> target"), or
// why the folder could not be checked (more than `max_entries` entries); nullopt when
// every link below it stays inside. Links whose target does not exist are left alone
// (node cannot read them either). Hard links are a documented limit.
std::optional<std::string> link_leading_out(const std::filesystem::path& folder, std::size_t max_entries);

// argv0 as execve needs it: itself when it has a '/', else the first executable match on
// PATH; empty when there is none.
std::string find_on_path(const std::string& argv0);

}  // namespace elt::sandbox
