#include <unistd.h>

#include <iostream>

#include "cli/keycomp_cli.h"

int main(int argc, char** argv) {
  return keycomp::RunKeycomp(argc, argv, std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1);
}
