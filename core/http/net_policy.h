// Where a scenario's http_get may connect: loopback by default, more with --allow-net.
//
// A scenario is code a student wrote, and CI runs it next to a teacher's network. By
// default it may reach only this machine's loopback (localhost, 127.0.0.0/8), which is
// where the delay service and a test's own servers listen. `--allow-net HOST[:PORT]`
// (repeatable, as in Deno) allows a host, on any port or on one; only the command line
// sets it, never the scenario.
//
// The check runs on the host as the URL names it, before anything is looked up: a URL
// built from a template (`http://${name}.example/`) cannot make the tool send a DNS query
// for a name that is not allowed, which would already leak the name to a resolver.
// Names are compared without case; addresses as written (127.0.0.1 is not 2130706433).
//
// Thread-safety: immutable once built; read from the loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace elt {

struct NetRule {
  std::string host;                    // a name or an IPv4 address, as on the command line
  std::optional<std::uint16_t> port;   // none: every port
};

class NetPolicy {
 public:
  // Parses one --allow-net value, "HOST" or "HOST:PORT"; nullopt and `error` if malformed.
  static std::optional<NetRule> parse_rule(std::string_view text, std::string& error);

  void allow(NetRule rule) { rules_.push_back(std::move(rule)); }
  // Empty when `host`:`port` may be contacted; otherwise why not, naming the rule.
  std::string check(std::string_view host, std::uint16_t port) const;

 private:
  std::vector<NetRule> rules_;
};

// localhost, or a dotted IPv4 address in 127.0.0.0/8: reached without a lookup.
bool is_loopback_host(std::string_view host);

}  // namespace elt
