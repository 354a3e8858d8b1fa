#include "cmd_import.h"

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

#include "js/load_js.h"
#include "output_file.h"

namespace elt::app {

Command add_import_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "import-js", "Print the scenario (JSON) a JavaScript program becomes: what `eventloop-trace PROGRAM.js` "
                   "runs, for a teacher to keep; a construct it cannot translate is refused with its line and column");
  cmd->add_option("program", *file, "JavaScript file (.js)")->required()->type_name("PROGRAM.js");
  return {cmd, [file]() {
    // The whole load, not only the translation: what is printed is a scenario the parser
    // accepts, so that the kept JSON runs as the .js file does.
    const elt::js::Translation translation = elt::js::translate_file(*file);
    elt::js::scenario_from(translation, *file);
    int err = write_stdout(translation.json);
    if (err == 0 || err == EPIPE) return 0;  // EPIPE: the reader left (`| head`), quietly
    throw std::system_error(err, std::generic_category(), "writing the scenario to standard output");
  }};
}

}  // namespace elt::app
