/* main.c - tether's entry point. */
#include <stdio.h>
#include <string.h>

#include "tether.h"

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
    printf("tether %s\n", TT_VERSION);
    return 0;
  }
  fprintf(stderr, "usage: tether [OPTIONS] [FILE.yaml] [TARGET ...]\n");
  return 2;
}
