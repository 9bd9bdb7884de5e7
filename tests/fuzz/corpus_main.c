/* corpus_main.c - a fuzz target without libFuzzer: every file of the
 * directories (or files) named on the command line given to it once, so
 * that the suite runs each target over its seed corpus in the plain and
 * sanitizer builds. Exits 0 when every input went through. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (1u << 20)

static int run_file(const char *path, unsigned *n) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return -1;
  }
  uint8_t *buf = malloc(INPUT_MAX);
  size_t len = buf != NULL ? fread(buf, 1, INPUT_MAX, f) : 0;
  fclose(f);
  if (buf == NULL)
    return -1;
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  (*n)++;
  return 0;
}

static int run_path(const char *path, unsigned *n) {
  struct stat st;
  if (stat(path, &st) != 0) {
    perror(path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(path, n);
  DIR *d = opendir(path);
  if (d == NULL) {
    perror(path);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    rc = run_path(sub, n);
  }
  closedir(d);
  return rc;
}

int main(int argc, char **argv) {
  unsigned n = 0;
  for (int i = 1; i < argc; i++)
    if (run_path(argv[i], &n) != 0)
      return 1;
  printf("%u inputs\n", n);
  return n > 0 ? 0 : 1;
}
