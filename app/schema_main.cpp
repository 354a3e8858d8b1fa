// eventloop-trace-schema: prints the scenario JSON Schema generated from the action
// registry (core/scenario/actions/). Built beside the tool, not installed: the schema it
// prints is committed as docs/scenario.schema.json, which editors and the install use.
//   eventloop-trace-schema            print it
//   eventloop-trace-schema FILE       write it to FILE
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>

#include "scenario/actions/action.h"

int main(int argc, char** argv) {
  try {
    std::string schema = elt::scenario::scenario_schema();
    if (argc < 2) {
      std::cout << schema << std::flush;
      return std::cout ? 0 : 1;
    }
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    out << schema;
    out.close();
    if (!out) {
      std::cerr << "eventloop-trace-schema: cannot write " << argv[1] << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "eventloop-trace-schema: " << e.what() << "\n";
    return 1;
  }
}
