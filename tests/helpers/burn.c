/* Burns one core until killed (or for argv-given seconds with --seconds N).
   Other arguments are ignored, so tests can give it a miner-like command line. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char** argv) {
  long seconds = 600;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--seconds") == 0) seconds = atol(argv[i + 1]);
  }
  const time_t end = time(NULL) + seconds;
  volatile unsigned long x = 0;
  while (time(NULL) < end) {
    for (int i = 0; i < 1000000; ++i) x += (unsigned long)i * 2654435761u;
  }
  return 0;
}
