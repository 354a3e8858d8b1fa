#include "cmd_check.h"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "trace/compare.h"

namespace elt::app {

int run_check(const CheckOptions& opts) {
  auto tracer = run_scenario(opts.run, -1);
  std::string actual = tracer->captured();
  if (opts.update) {
    std::ofstream out(opts.golden, std::ios::binary);
    out << actual;
    if (!out) {
      std::cerr << "eventloop-trace: cannot write " << opts.golden << '\n';
      return kExitFailure;
    }
    std::cout << "wrote " << opts.golden << '\n';
    return 0;
  }
  bool ok = false;
  std::string expected = read_file(opts.golden, ok);
  if (!ok) {
    std::cerr << "eventloop-trace: " << opts.golden << ": cannot open the golden trace (write it with --update)\n";
    return kExitBadInput;
  }
  auto result = elt::compare_traces(expected, actual,
                                    opts.mode == "per-thread" ? elt::CompareMode::PerThread : elt::CompareMode::Exact,
                                    use_color(opts.color, STDOUT_FILENO));
  if (result.equal) {
    std::cout << "ok: " << opts.run.scenario << " matches " << opts.golden << " (" << opts.mode << ", "
              << opts.run.clock << " clock)\n";
    return 0;
  }
  std::cout << opts.run.scenario << " does not match " << opts.golden << " (" << opts.mode << ", "
            << opts.run.clock << " clock)\n"
            << result.report;
  return kExitDifferent;
}

}  // namespace elt::app
